"""Repainting what a new garment leaves of the old one, on synthetic images."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.dress import (
    ARM_RIDGE,
    ARM_SHADE,
    CONTACT_SHADE,
    LUMA,
    arm_shading,
    contact_shadow,
    dress_garment,
    fill_from,
    limb_shading,
    repaint_uncovered,
    skin_colour,
    skin_light,
    skin_tone,
    smooth_outline,
    smoothed_limbs,
    torso_shading,
    under_edge,
    with_rim,
)

H, W = 120, 100
BACKDROP = (230, 232, 235)
OLD = (200, 30, 40)  # the old garment: red
SKIN = (210, 160, 130)


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A red old garment over a body (x 30..70) on a plain backdrop; skin shows on the face (rows 0..20)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[0:20, 35:65] = SKIN
    image[30:100, 20:80] = OLD  # wider than the body: the old garment stands off it
    body = np.zeros((H, W), np.uint8)
    body[20:110, 30:70] = 1
    skin = np.zeros((H, W), np.uint8)
    skin[0:20, 35:65] = 1
    old = np.all(image == OLD, axis=2)
    return image, body, skin, old


def test_uncovered_old_garment_becomes_skin_on_the_body_and_backdrop_beside_it() -> None:
    image, body, skin, old = _scene()
    new = np.zeros((H, W), bool)
    new[30:80, 20:80] = True  # a shorter new garment: rows 80..100 of the old one are left uncovered
    uncovered = old & ~new
    out = repaint_uncovered(image, uncovered, body, skin, old | new)
    assert np.abs(out[90, 50].astype(int) - SKIN).max() <= 25  # on the body: the shopper's skin tone
    assert np.abs(out[90, 24].astype(int) - BACKDROP).max() <= 6  # beside it: the backdrop, not red, not skin
    assert np.array_equal(out[~uncovered], image[~uncovered])  # nothing else changes


def test_skin_tone_is_the_visible_skin_or_a_default_when_none_shows() -> None:
    image, _, skin, _ = _scene()
    assert np.allclose(skin_tone(image, skin), SKIN)
    assert skin_tone(image, np.zeros_like(skin)).shape == (3,)


def test_repainted_skin_is_rounded_towards_its_outline_not_a_flat_block() -> None:
    arm = np.zeros((100, 100), bool)
    arm[:, 30:70] = True
    shade = limb_shading(arm, 10.0)
    assert shade[50, 30] < shade[50, 35] < shade[50, 45] == shade[50, 50] == 1.0  # rounder towards its edge
    assert shade[50, 30] < 0.85


def test_skin_under_the_new_garment_s_edge_takes_a_light_contact_shadow_not_the_rounding() -> None:
    image, body, skin, old = (cv2.resize(a.astype(np.uint8), (3 * W, 3 * H), interpolation=cv2.INTER_NEAREST)
                              for a in _scene())  # at 3x: shadows a few pixels wide
    new = np.zeros(old.shape, bool)
    new[180:300, 60:240] = True  # a lower neckline: the chest above it (rows 90..180) is bared
    out = repaint_uncovered(image, (old > 0) & ~new, body, skin, (old > 0) | new, cover=new)
    luma = out.astype(np.float32) @ LUMA
    open_chest, above_edge, at_side = luma[150, 150], luma[170:180, 150], luma[135, 91]
    # Right above the garment's edge a little darker than the open chest, its contact shadow at most, not the
    # rounding's 30 % (a grey smear along the neckline), nor paled by the backdrop under the garment's edge; the
    # body's side against the backdrop, turning away, darker still.
    assert at_side < 0.85 * open_chest
    assert (1.0 - CONTACT_SHADE) * open_chest - 1.0 <= above_edge.min() < open_chest


def test_repainted_skin_fades_into_the_backdrop_across_its_outline() -> None:
    image, body, skin, old = _scene()
    out = repaint_uncovered(image, old, body, skin, old).astype(int)
    row = out[65, 24:36].sum(axis=1)  # from the backdrop beside the body into the skin (the body starts at 30)
    steps = np.abs(np.diff(row))
    assert steps.max() < 0.8 * abs(row[0] - row[-1])  # no single pixel edge: anti-aliased


def test_skin_takes_the_hue_of_the_nearest_skin_and_the_brightness_of_the_lit_skin() -> None:
    image, body, skin, old = _scene()
    image[20:30, 35:65] = (150, 100, 80)  # the neck in the chin's shadow
    skin[20:30, 35:65] = 1
    colour = skin_colour(image, skin, old & body.astype(bool))
    lit = np.array(SKIN, np.float32) @ LUMA
    assert abs(float(colour[40, 50] @ LUMA) - lit) < 0.15 * lit  # not the neck's shade


def test_skin_meets_the_skin_beside_it_and_takes_the_lit_tone_deeper_in() -> None:
    image, body, skin, old = _scene()
    image[20:30, 35:65] = (150, 100, 80)  # the neck in the chin's shadow, right above the bared chest
    skin[20:30, 35:65] = 1
    colour = skin_colour(image, skin, old & body.astype(bool))
    shade, lit = np.array((150, 100, 80), np.float32), np.array(SKIN, np.float32)
    # Towards the neckline the neck's own colour (no seam); deep in the chest the lit skin, not the shade.
    assert np.linalg.norm(colour[30, 50] - shade) < np.linalg.norm(colour[95, 50] - shade) - 10
    assert np.linalg.norm(colour[95, 50] - lit) < 0.5 * np.linalg.norm(shade - lit)


def test_smooth_outline_rounds_a_staircase_and_keeps_a_straight_edge() -> None:
    steps = np.zeros((512, 512), np.uint8)
    for x in range(0, 512, 4):  # a diagonal edge made of 4-px blocks, as a mask solved at a quarter size
        steps[x:, x:x + 4] = 1
    smooth = smooth_outline(steps)
    diagonal = np.tri(512, 512, 1, bool)
    # Closer to the true diagonal than the blocks were, and no bigger or smaller on the whole.
    assert (smooth ^ diagonal).sum() < (steps.astype(bool) ^ diagonal).sum()
    straight = np.zeros((512, 512), np.uint8)
    straight[:, :30] = 1
    assert np.array_equal(smooth_outline(straight), straight.astype(bool))


def test_a_torso_is_lit_along_its_middle_and_darker_at_its_sides_and_arms_are_not_torso() -> None:
    body = np.zeros((200, 200), np.uint8)
    body[40:180, 60:140] = 1  # the torso
    body[40:160, 40:52] = 1  # a thin arm beside it, joined at the shoulder
    body[40:46, 52:60] = 1
    shade = torso_shading(body)
    assert shade[110, 100] > 1.0 > shade[110, 63]  # across the chest: lit middle, shaded side
    assert abs(shade[100, 100] - shade[150, 100]) < 0.02  # no darker towards its top or bottom
    assert abs(shade[100, 46] - 1.0) < 0.01 and shade[100, 5] == 1.0  # the arm and the backdrop keep their light


def test_fill_from_keeps_known_values_and_spreads_the_nearest_into_the_rest() -> None:
    values = np.zeros((40, 60, 3), np.float32)
    known = np.zeros((40, 60), bool)
    known[:, :10], known[:, 50:] = True, True
    values[:, :10], values[:, 50:] = 100.0, 200.0
    filled = fill_from(values, known)
    assert np.allclose(filled[known], values[known])
    assert filled[20, 12, 0] < filled[20, 30, 0] < filled[20, 47, 0]  # a smooth blend, nearest first


VISIBLE_SKIN = np.s_[105:118, 80:98]  # the shopper's face or hands, outside the garment


def _visible_skin() -> np.ndarray:
    skin = np.zeros((H, W), bool)
    skin[VISIBLE_SKIN] = True
    return skin


def test_a_sheer_garments_seam_is_cloth_not_shade_on_the_bared_skin() -> None:
    """Where a black mesh lies doubled (a seam) or is seen edge-on, less of the skin shows through it: that density
    is cloth (read finely, it drew grey blotches on the shoulders a mesh top left bared)."""
    uncovered = np.zeros((H, W), bool)
    uncovered[30:100, 20:80] = True
    image = np.full((H, W, 3), (38, 38, 38), np.uint8)  # the mesh over an opaque lining: neutral
    image[30:100, 20:45] = (62, 48, 42)  # skin's warmth through the mesh
    image[30:100, 33:36] = (48, 38, 33)  # the mesh doubled at a seam: darker, still warm
    image[VISIBLE_SKIN] = SKIN
    light = skin_light(image, uncovered, _visible_skin())
    assert float(light[65, 24] - light[65, 34]) < 0.05


def test_an_opaque_bra_under_a_sheer_top_casts_no_shade_on_the_bared_chest() -> None:
    """Skin's warmth shows through the black mesh; a black bra under it is as neutral as the mesh: its darkness is
    cloth, not the body's light (read as light, it drew the bra's shape in shade on a chest a camisole bared)."""
    uncovered = np.zeros((H, W), bool)
    uncovered[30:100, 20:80] = True
    image = np.full((H, W, 3), (36, 36, 36), np.uint8)  # the mesh doubled over an opaque lining: neutral
    image[30:100, 20:50] = (62, 48, 42)  # skin through the mesh
    image[45:75, 28:45] = (24, 24, 24)  # the bra
    image[VISIBLE_SKIN] = SKIN
    light = skin_light(image, uncovered, _visible_skin())
    assert abs(float(light[60, 36]) - float(light[90, 36])) < 0.05


def test_the_old_garments_rim_is_repainted_with_it_but_never_what_is_kept() -> None:
    uncovered = np.zeros((100, 100), bool)
    uncovered[30:70, 30:70] = True
    keep = np.zeros((100, 100), bool)
    keep[:, 69:] = True  # the new garment beside it
    grown = with_rim(uncovered, keep)
    assert grown[50, 29] and not grown[50, 25]  # a rim of a pixel or two, no more
    assert not grown[50, 70] and grown[uncovered].all()


def test_the_old_garments_rim_never_reaches_across_what_is_kept() -> None:
    # A thin arm hanging in front of the old top at 512 px: its skin found only 2 px wide beside the top, its far,
    # anti-aliased edge 2 px more. That edge is the arm's against the backdrop, not the top's rim.
    uncovered = np.zeros((512, 384), bool)
    uncovered[100:300, 100:240] = True
    keep = np.zeros((512, 384), bool)
    keep[100:300, 240:242] = True  # the arm's skin the skin mask found
    grown = with_rim(uncovered, keep)
    assert not grown[150:250, 242:245].any()
    assert grown[99, 150] and grown[200, 99]  # the rim is still taken where nothing kept is in the way
    assert grown[uncovered].all() and not grown[keep].any()


def test_the_photos_skin_on_the_body_is_repainted_as_skin_not_rounded_off_to_backdrop() -> None:
    # At 512 px an arm 13 px wide in front of the old garment, its skin found only in its first 3 px; those are
    # repainted with the old garment's seam. The rounding took the arm's other 10 px (no skin to the mask) for the
    # outline and cut the 3 px strip away: backdrop specks on the arm.
    image = np.full((512, 384, 3), BACKDROP, np.uint8)
    image[100:400, 200:213] = SKIN
    body = np.zeros((512, 384), np.uint8)
    body[100:400, 200:213] = 1
    skin = np.zeros((512, 384), np.uint8)
    skin[100:400, 200:203] = 1
    uncovered = np.zeros((512, 384), bool)
    uncovered[150:350, 200:203] = True
    out = repaint_uncovered(image, uncovered, body, skin, body > 0).astype(int)
    inside = out[250, 201:203]  # (its first column is the outline's, anti-aliased with the backdrop)
    assert (np.linalg.norm(inside - SKIN, axis=1) < np.linalg.norm(inside - BACKDROP, axis=1) / 2).all()
    assert np.array_equal(out[~uncovered], image[~uncovered].astype(int))


def test_under_edge_is_where_the_new_garment_covers_fully() -> None:
    paint = np.zeros((100, 100), np.uint8)
    paint[20:80, 20:80] = 1
    inner = under_edge(paint)
    garment = np.full((100, 100, 3), 200, np.uint8)
    light = np.ones((100, 100), np.float32)
    over_black = dress_garment(np.zeros_like(garment), garment, paint, light)
    over_white = dress_garment(np.full_like(garment, 255), garment, paint, light)
    np.testing.assert_array_equal(over_black[inner], over_white[inner])  # nothing of what lies under shows there
    assert inner[50, 50] and not inner[50, 21]


def test_a_bared_arm_is_rounded_along_its_bone_and_the_torso_is_left_to_its_own_shading() -> None:
    """A torso 120 px wide with a forearm 32 px wide hanging beside it: the arm is lit along its middle and
    shaded towards its sides; the torso is no limb."""
    bare = np.zeros((240, 240), np.uint8)
    bare[20:220, 60:180] = 1  # torso
    bare[40:220, 190:222] = 1  # forearm, apart from it
    shade, limb = arm_shading(bare, bare)
    row = shade[150]
    assert abs(float(row[206]) - ARM_RIDGE) < 0.05  # on the bone
    assert ARM_SHADE - 0.05 < float(row[191]) < float(row[206]) - 0.08  # at its side
    assert abs(float(row[200]) - float(row[212])) < 0.2 * (ARM_RIDGE - ARM_SHADE)  # symmetric about the bone
    assert limb[150, 206] > 0.9 and limb[120, 120] < 0.05
    assert abs(float(shade[120, 120]) - 1.0) < 1e-3


def test_smoothed_limbs_rounds_a_ragged_outline_inside_the_hole() -> None:
    arm = np.zeros((200, 200), bool)
    arm[20:180, 80:120] = True
    ragged = arm.copy()
    ragged[20:180:4, 120:123] = True  # a comb of 3 px teeth along one side
    hole = np.zeros_like(arm)
    hole[:, :150] = True
    smooth = smoothed_limbs(ragged, hole)
    assert not smooth[20:180:4, 122].any()  # the teeth are gone
    assert smooth[100, 82:118].all()  # the arm is kept
    assert not (smooth & ~hole).any()


def test_background_beside_the_body_is_filled_from_the_backdrop_not_the_shoppers_other_clothes() -> None:
    """Blue jeans right below the old garment's uncovered side: listed with the garments, they lend it no colour."""
    image, body, skin, old = _scene()
    image[100:120, 10:90] = (40, 60, 140)  # jeans
    jeans = np.zeros((H, W), bool)
    jeans[100:120, 10:90] = True
    new = np.zeros((H, W), bool)
    new[30:100, 30:70] = True  # the new garment sits on the body: the old one's sides are left
    out = repaint_uncovered(image, old & ~new, body, skin, old | new | jeans).astype(int)
    assert np.abs(out[95, 24] - np.array(BACKDROP)).max() <= 12  # beside the body, just above the jeans


def test_a_bared_arm_beside_a_covered_torso_is_still_an_arm() -> None:
    """Only the forearm is bare (the new garment covers the torso): the body's torso still says it is a limb."""
    body = np.zeros((240, 240), np.uint8)
    body[20:220, 60:180] = 1
    body[40:220, 190:222] = 1
    bare = body.copy()
    bare[:, :185] = 0
    shade, limb = arm_shading(bare, body)
    assert limb[150, 206] > 0.9
    assert float(shade[150, 191]) < float(shade[150, 206]) - 0.08


def test_the_contact_shadow_lies_along_the_new_garments_edge_only() -> None:
    """The shadow a garment's edge casts on the skin beside it: deepest at that edge, none along the backdrop."""
    cover = np.zeros((60, 60), bool)
    cover[:, :20] = True
    shade = contact_shadow(cover, 10.0)
    assert abs(float(shade[30, 20]) - (1.0 - CONTACT_SHADE)) < 0.05
    assert float(shade[30, 21]) < float(shade[30, 25]) < float(shade[30, 29]) < 1.0
    assert np.all(shade[:, 31:] == 1.0)
    cover[40:42, 40:55] = True  # a two-pixel strand of the garment lying across an arm
    assert np.all(contact_shadow(cover, 10.0)[:, 31:] == 1.0)


def test_bared_skin_meets_a_garment_the_photo_keeps_with_no_line_of_backdrop() -> None:
    """A crop top bares the waist down to the skirt the photo keeps: the skin reaches the skirt's top, no white line
    of backdrop (or half of it, anti-aliased) runs between them."""
    image, body, skin, old = _scene()
    skirt = np.zeros((H, W), bool)
    skirt[100:115, 25:75] = True
    image[skirt] = (60, 40, 20)
    new = np.zeros((H, W), bool)
    new[30:60, 20:80] = True  # a crop top: rows 60..100 of the old one bared, down to the skirt
    uncovered = old & ~new
    out = repaint_uncovered(image, uncovered, body, skin, old | new | skirt, cover=new.astype(np.uint8))
    just_above, deeper = out[99, 32:68].astype(float), out[92, 32:68].astype(float)
    # Skin on the skirt's top, as above it or a little shaded, not paled towards the backdrop.
    assert (just_above @ LUMA <= deeper @ LUMA + 3).all()
    assert (np.abs(just_above[:, 2] - just_above[:, 0]) > 40).all()  # still skin's warmth, not the grey backdrop
    assert np.array_equal(out[skirt], image[skirt])  # the skirt as the photo has it


def test_a_strap_on_a_chest_the_skin_mask_missed_takes_the_chests_tone() -> None:
    """A chest in highlight the skin mask missed (the worn garment's colours found it, `WornGarment.skin`) round a
    dark strap: the repainted strap goes on from that chest, not from the face's darker tone (a brown block)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[0:20, 35:65] = SKIN  # the face: the only skin the mask found
    lit = (245, 212, 190)
    image[20:110, 30:70] = lit  # the chest, paler than the face's chroma took
    image[40:50, 40:60] = (40, 30, 30)  # the strap
    body = np.zeros((H, W), np.uint8)
    body[20:110, 30:70] = 1
    skin = np.zeros((H, W), np.uint8)
    skin[0:20, 35:65] = 1
    strap = np.zeros((H, W), bool)
    strap[40:50, 40:60] = True
    chest = np.all(image == lit, axis=2)
    out = repaint_uncovered(image, strap, body, skin, strap, missed=chest)
    assert np.abs(out[strap].astype(int) - lit).max() <= 12
    assert np.array_equal(out[~strap], image[~strap])
