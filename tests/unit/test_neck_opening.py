"""The inside of a garment's back seen through its neck opening (`warp_gen.neck_opening`), on tops drawn onto
the synthetic shopper's frame as a warped garment: shoulders 90 px apart at row 110, the top edge at row 96."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.tryon.classical import SILHOUETTE, WARPED, ClassicalGarmentPipeline, Dressed
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment
from fittingroom.warp_gen.neck_opening import front_over_inside, seen_through_neck, without_label

H, W = 400, 300
TOP = 96  # the garment's top edge by the neck (the back neckline, seen from the front)
WHITE = (240, 240, 238)


def _tee(colour: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(image, alpha): a short-sleeved top of one colour, its top edge straight across at row TOP."""
    alpha = np.zeros((H, W), np.float32)
    alpha[TOP:250, 95:206] = 1.0
    cv2.line(alpha, (100, 115), (80, 170), 1.0, 26)
    cv2.line(alpha, (200, 115), (220, 170), 1.0, 26)
    image = np.zeros((H, W, 3), np.uint8)
    image[alpha > 0] = colour
    return image, alpha


def _photo(image: np.ndarray) -> np.ndarray:
    """As warped from a product photo: edges a pixel soft, a little noise of the weave."""
    noise = np.random.default_rng(15).normal(0.0, 1.0, image.shape)
    return np.clip(cv2.GaussianBlur(image, (0, 0), 0.7) + noise, 0, 255).astype(np.uint8)


def _crew(half_width: int, depth: int) -> np.ndarray:
    """bool: a crew neck's opening, the lower half of an ellipse hanging from the top edge."""
    opening = np.zeros((H, W), np.uint8)
    cv2.ellipse(opening, (150, TOP), (half_width, depth), 0, 0, 180, 1, -1)
    return opening > 0


def _away_from(mask: np.ndarray, px: int) -> np.ndarray:
    """bool: farther than `px` from `mask`."""
    return np.asarray(cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3) > px)


def _pose() -> Pose:
    return frontal_pose()


def test_the_grey_inside_of_a_white_tee_through_its_crew_neck_is_hidden_down_to_the_front_neckline() -> None:
    image, alpha = _tee(WHITE)
    opening = _crew(26, 17)
    rows = np.arange(H)[:, None]
    shade = np.clip(168 + 2.5 * (rows - TOP), 168, 205)  # the inside back, lit lower down
    image[opening] = np.stack([shade, shade, shade - 4], axis=2).repeat(W, axis=1)[opening].astype(np.uint8)
    image[TOP:TOP + 2, 124:177][opening[TOP:TOP + 2, 124:177]] = (215, 215, 212)  # the back collar's paler rim
    image[TOP + 5:TOP + 9, 141:160] = (60, 60, 60)  # the label
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert hidden[opening].mean() > 0.95
    front = (alpha > 0) & ~opening
    assert not (hidden & front & _away_from(opening, 4)).any()  # beyond the neckline edge's anti-aliasing
    assert not hidden[TOP + 25:].any()


def test_the_inside_of_a_v_neck_is_hidden_its_front_either_side_stays() -> None:
    image, alpha = _tee(WHITE)
    v_neck = np.zeros((H, W), np.uint8)
    cv2.fillPoly(v_neck, [np.array([(126, TOP), (174, TOP), (150, 128)], np.int32)], 1)
    image[v_neck > 0] = (175, 172, 170)
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert hidden[v_neck > 0].mean() > 0.9
    assert not (hidden & (alpha > 0) & _away_from(v_neck > 0, 3)).any()


def test_a_polo_collar_of_the_body_colour_stays() -> None:
    blue = (175, 205, 235)
    image, alpha = _tee(blue)
    collar = np.zeros((H, W), np.uint8)
    cv2.rectangle(collar, (124, TOP - 10), (176, TOP), 1, -1)  # the collar's stand at the back
    cv2.fillPoly(collar, [np.array([(122, TOP - 2), (150, TOP + 20), (140, TOP + 26), (116, TOP + 6)], np.int32)], 1)
    cv2.fillPoly(collar, [np.array([(178, TOP - 2), (150, TOP + 20), (160, TOP + 26), (184, TOP + 6)], np.int32)], 1)
    alpha[collar > 0] = 1.0
    image[collar > 0] = blue
    cv2.polylines(image, [np.array([(122, TOP - 2), (150, TOP + 20), (178, TOP - 2)], np.int32)], False,
                  (120, 150, 180), 1)  # the flaps' shaded edges
    image[TOP + 1:TOP + 8, 140:161][collar[TOP + 1:TOP + 8, 140:161] == 0] = (30, 30, 50)  # inside, between them
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert not (hidden & (collar > 0)).any()


def _rib_collar() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(photo, alpha, rib, inside): a lavender tee whose purple rib, 6 px wide, runs round the opening, and the
    inside back behind it in the opening's darker shade."""
    image, alpha = _tee((200, 190, 225))
    band = _crew(30, 21)
    image[band] = (70, 50, 90)  # the rib collar, all round the opening
    interior = _crew(24, 15)
    image[interior] = (20, 15, 25)  # the inside back, in the opening's shade
    return _photo(image), alpha, band & ~interior, interior


def test_the_inside_behind_a_dark_rib_collar_is_hidden_the_rib_keeps_its_width() -> None:
    """Left, the inside and the rib were a dark band round the neck three times the rib's width."""
    image, alpha, rib, inside = _rib_collar()
    hidden = seen_through_neck(image, alpha, _pose(), Category.UPPER)
    assert hidden[inside & _away_from(~inside, 2)].mean() > 0.95
    # All round, down its sides too, but for the anti-aliased px next to the inside.
    assert not (hidden & rib & _away_from(inside, 2)).any()
    assert (hidden & rib).sum() < 0.15 * rib.sum()


def test_an_inside_of_the_front_colour_is_left_as_it_is() -> None:
    image, alpha = _tee((25, 25, 28))  # a black tee: its inside back is black too
    image[TOP + 4:TOP + 8, 142:158] = (200, 200, 200)  # its label
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER).any()


def test_a_lower_garment_has_no_neck_opening() -> None:
    image, alpha = _tee(WHITE)
    image[_crew(26, 17)] = (170, 170, 165)
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.LOWER).any()


@pytest.mark.parametrize(("top_sides", "dressing"), [((100, 200), SILHOUETTE), ((128, 172), WARPED)])
def test_the_composite_paints_no_grey_inside_back_at_the_base_of_the_neck(top_sides: tuple[int, int],
                                                                         dressing: str) -> None:
    """A shopper in a dark top under the tee (as broad, with the same crew neck; or a narrower one, sleeveless):
    where the tee's inside back was, the result is skin (the old top's neckline dressed into, or the old top
    repainted, `dress_warped`), never grey."""
    grey = (168, 168, 164)
    image, alpha = _tee(WHITE)
    opening = _crew(26, 21) & (np.arange(H)[:, None] >= TOP + 4)
    image[opening] = grey
    dressed = _dressed(top_sides, _photo(image), alpha, neck=opening if dressing == SILHOUETTE else None)
    assert dressed.dressing == dressing
    inside = opening & _away_from(~opening, 2)
    assert (np.abs(dressed.image[inside].astype(int) - grey).max(axis=1) > 30).all()


def _dressed(top_sides: tuple[int, int], image: np.ndarray, alpha: np.ndarray,
             neck: np.ndarray | None = None) -> Dressed:
    """The composite of a tee (`image`, `alpha`) on a shopper in a dark sleeveless top (`top_sides`: its columns;
    `neck`: its neck opening, none when not given) under it, the tee's top edge on the old top's, at row 100."""
    skin, top_colour = (224, 172, 140), (40, 40, 90)
    person = np.full((H, W, 3), 235, np.uint8)
    cv2.circle(person, (150, 60), 35, skin, -1)
    cv2.rectangle(person, (100, 80), (200, 250), skin, -1)  # neck, shoulders and chest
    cv2.rectangle(person, (top_sides[0], 100), (top_sides[1], 250), top_colour, -1)
    if neck is not None:
        person[neck] = skin
    person_mask = (np.abs(person.astype(int) - 235).sum(axis=2) > 0).astype(np.float32)
    worn = np.all(person == top_colour, axis=2).astype(np.uint8)
    alpha, image = alpha.copy(), image.copy()
    alpha[:TOP + 4] = 0
    image[:TOP + 4] = 0
    fit = GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)), body=np.zeros((0, 2)), limbs=())
    warped = WarpedGarment(image=image, alpha=alpha, fit=fit, laid=np.zeros((H, W), np.uint8))
    request = GarmentRequest(person, person, Category.UPPER)
    return ClassicalGarmentPipeline.composite(request, person_mask, _pose(), warped, np.zeros((H, W), np.uint8), worn)


def test_the_composite_keeps_a_dark_rib_along_the_neckline_in_its_own_colour() -> None:
    """Where the inside back behind a rib is hidden, the rib along the front neckline is the garment's own inner
    edge, no blend with a backdrop: drawn in the rib's purple, not mirrored over from the lavender front below."""
    image, alpha, rib, inside = _rib_collar()
    dressed = _dressed((128, 172), image, alpha)
    assert dressed.dressing == WARPED
    kept = rib & _away_from(inside, 2) & (np.arange(H)[:, None] >= TOP + 6) & (dressed.paint > 0)
    assert kept.sum() > 100
    colours = dressed.image[kept].astype(int)  # shaded as the old top is: nearer the rib's purple than the lavender
    assert (np.abs(colours - (70, 50, 90)).sum(axis=1) < np.abs(colours - (200, 190, 225)).sum(axis=1)).all()


def _lace(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A black lace: dark ground, a lighter thread through a third of it (specks one or two px across)."""
    threads = cv2.dilate((np.random.default_rng(seed).random(shape) < 0.12).astype(np.uint8), np.ones((2, 2)))
    lace = np.full((*shape, 3), 22, np.uint8)
    lace[threads > 0] = (95, 92, 90)
    return lace


def test_a_black_lace_lining_split_by_a_zip_is_hidden_down_to_the_front_neckline() -> None:
    """A striped light dress: through its neck, below the back neckline's yellow trim, a black lace lining that a
    yellow zip splits down the middle; it is much darker than the front and no smooth patch holds it."""
    image, alpha = _tee((235, 205, 120))
    rows = np.arange(H)
    image[(rows >= TOP + 20) & ((rows - TOP) // 8 % 2 == 1)] = (215, 120, 90)  # the front's stripes
    image[alpha == 0] = 0
    opening = _crew(30, 20) & (alpha > 0)
    lining = opening & (rows[:, None] >= TOP + 3)  # the back neckline's trim above it, the dress's yellow
    image[lining] = _lace((H, W), 15)[lining]
    image[TOP + 3:TOP + 20, 149:151] = (215, 185, 60)  # the zip
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert hidden[lining].mean() > 0.9
    assert not (hidden & (alpha > 0) & _away_from(opening, 4)).any()


def test_a_dark_rib_collar_up_to_the_top_edge_stays() -> None:
    """A light tee whose dark rib runs round the opening, its inside back the rib's own shade: dark up to the top
    edge, no lighter rim above it (but the edge's anti-aliasing against the white backdrop); what is rib and what
    is inside cannot be told, all stays."""
    image, alpha = _tee((200, 190, 225))
    image[alpha == 0] = 250
    image[_crew(30, 21)] = (48, 38, 58)
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER).any()


def test_a_dark_label_on_the_back_of_a_tee_whose_inside_is_its_front_colour_stays() -> None:
    image, alpha = _tee(WHITE)
    image[TOP + 3:TOP + 11, 140:161] = (30, 30, 34)  # the label, narrower than the opening
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER).any()


def test_that_label_is_filled_with_the_tee_round_it_and_a_print_below_it_stays() -> None:
    """Worn, the label inside the back is hidden by the neck: filled from the white round it (not from the red print
    just below it, which runs on down the front and stays); nothing else changes."""
    image, alpha = _tee(WHITE)
    image[alpha == 0] = 250
    label = np.zeros((H, W), bool)
    label[TOP + 3:TOP + 11, 140:161] = True
    image[label] = (30, 30, 34)
    image[TOP + 14:TOP + 60, 130:171] = (200, 30, 40)  # the print, from just below the label down the chest
    image = _photo(image)
    out = without_label(image, alpha > 0.5, _pose())
    assert (out[label].astype(int).sum(axis=1) > 650).all()
    changed = (out != image).any(axis=2)
    assert not (changed & _away_from(label, 3)).any()
    plain, _ = _tee(WHITE)
    assert without_label(plain, alpha > 0.5, _pose()) is plain


def test_a_speckled_grey_inside_of_a_white_tee_is_hidden() -> None:
    """A heathered knit: the inside back's grey flecked with darker and lighter threads, which break a smooth patch
    into specks; below the back collar's white rim it is told apart by its lightness all the same."""
    image, alpha = _tee(WHITE)
    image[alpha == 0] = 250
    opening = _crew(26, 17)
    inside = opening & (np.arange(H)[:, None] >= TOP + 3)
    flecks = np.random.default_rng(7).choice([100, 150, 200], size=(H // 2, W // 2), p=[0.25, 0.5, 0.25])
    flecks = flecks.astype(np.uint8).repeat(2, axis=0).repeat(2, axis=1)  # threads two px across
    image[inside] = np.repeat(flecks[..., None], 3, axis=2)[inside]
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert hidden[inside].mean() > 0.9
    assert not (hidden & (alpha > 0) & _away_from(opening, 4)).any()


def test_the_inside_back_takes_the_nearest_front_colour_and_nothing_else_changes() -> None:
    """Where later steps grow the garment back over the hidden inside (a shoulder draped up, a smoothed outline),
    they draw its pixels: those are the front's nearest, not the lining's black."""
    image, alpha = _tee((235, 205, 120))
    image[alpha == 0] = 250
    lining = _crew(30, 20) & (alpha > 0) & (np.arange(H)[:, None] >= TOP + 3)  # below the back neckline's trim
    image[lining] = (22, 22, 22)
    image = _photo(image)
    hidden = seen_through_neck(image, alpha, _pose(), Category.UPPER)
    filled = front_over_inside(image, alpha, hidden)
    assert hidden.any()
    assert (filled[hidden].astype(int).sum(axis=1) > 400).all()
    assert (filled[~hidden] == image[~hidden]).all()
    assert front_over_inside(image, alpha, np.zeros_like(hidden)) is image


def test_a_grey_binding_along_the_front_neckline_below_a_black_lining_stays() -> None:
    """A cream dress whose front neckline is bound in grey, its black lining seen above the binding: the lining is
    hidden, the binding (the front's edge, the strongest edge a few px lower) stays past the lining's edge's
    blur."""
    image, alpha = _tee((235, 220, 200))
    image[alpha == 0] = 250
    opening = _crew(30, 20) & (alpha > 0)
    binding = _crew(34, 25) & (alpha > 0) & ~opening
    image[binding] = (60, 60, 60)
    lining = opening & (np.arange(H)[:, None] >= TOP + 3)
    image[lining] = (18, 18, 20)
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER)
    assert hidden[lining].mean() > 0.9
    assert not (hidden & binding & _away_from(opening, 4)).any()


def _navy_inside(trim_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo, alpha, inside): a white tee, its opening one smooth navy from `trim_rows` below the top edge."""
    image, alpha = _tee(WHITE)
    image[alpha == 0] = 250
    inside = _crew(30, 21) & (np.arange(H)[:, None] >= TOP + trim_rows)
    image[inside] = (30, 30, 60)
    return _photo(image), alpha, inside


def test_a_smooth_navy_rib_and_inside_in_one_shade_up_to_the_top_edge_stays() -> None:
    """Dark up to the edge but for its anti-aliasing against the backdrop: a rib and its inside in one shade, which
    a lining without a trim above it cannot be told from."""
    image, alpha, _ = _navy_inside(0)
    assert not seen_through_neck(image, alpha, _pose(), Category.UPPER).any()


def test_a_smooth_navy_lining_below_a_white_trim_is_hidden() -> None:
    image, alpha, inside = _navy_inside(3)
    hidden = seen_through_neck(image, alpha, _pose(), Category.UPPER)
    assert hidden[inside].mean() > 0.9
    assert not (hidden & (alpha > 0) & _away_from(_crew(30, 21), 4)).any()


def _lab(lightness: int, a: int, b: int) -> tuple[int, int, int]:
    """RGB of an OpenCV 8-bit Lab colour."""
    rgb = cv2.cvtColor(np.array([[[lightness, a, b]]], np.uint8), cv2.COLOR_LAB2RGB)[0, 0]
    return int(rgb[0]), int(rgb[1]), int(rgb[2])


VELVET, TEAL = _lab(48, 131, 105), _lab(46, 124, 113)  # a blue front and its lining: one lightness, two hues


def _velvet(colour: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(image, alpha): a top of `colour` whose lightness waves across and down it (velvet's folds, as dark as its
    lining in places)."""
    image, alpha = _tee(colour)
    rows, columns = np.mgrid[0:H, 0:W]
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] += 14 * np.sin(columns / 9.0) * np.sin(rows / 13.0)
    image = cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    image[alpha == 0] = 0
    return image, alpha


def test_a_deep_v_s_lining_of_another_hue_behind_a_soft_binding_is_hidden_its_front_stays() -> None:
    """Of the front's lightness, so no shade of it, and the binding's soft edges let a smooth patch run on into the
    front's folds: told by its hue."""
    image, alpha = _velvet(VELVET)
    v_neck = np.zeros((H, W), np.uint8)
    cv2.fillPoly(v_neck, [np.array([(118, TOP), (182, TOP), (150, 136)], np.int32)], 1)
    image[v_neck > 0] = TEAL
    cv2.polylines(image, [np.array([(116, TOP), (150, 138), (184, TOP)], np.int32)], False, _lab(70, 130, 100), 2,
                  cv2.LINE_AA)  # the binding, a lighter blue
    image[alpha == 0] = 0
    hidden = seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER, by_hue=True)
    assert hidden[v_neck > 0].mean() > 0.95
    assert not (hidden & (alpha > 0) & _away_from(v_neck > 0, 4)).any()
    # Dressed into the worn garment's outline, the lining stays: the front's texture mirrored into it does not read.
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER).any()


def test_a_dark_rib_collar_told_by_hue_too_stays() -> None:
    """A black inside behind a purple rib on a lavender tee: apart from the front by its lightness more than its
    hue, so no lining of another hue (the rib, nearer the black than the lavender, went with it): the inside behind
    the rib is taken as without the hue, the rib stays."""
    image, alpha, _, _ = _rib_collar()
    assert (seen_through_neck(image, alpha, _pose(), Category.UPPER, by_hue=True)
            == seen_through_neck(image, alpha, _pose(), Category.UPPER)).all()


def test_a_yoke_of_another_hue_across_the_chest_stays() -> None:
    """The neck opening's hue runs on out of the window round the neck: the front's own, not an inside."""
    image, alpha = _velvet(VELVET)
    yoke = (alpha > 0) & (np.arange(H)[:, None] < TOP + 40)
    image[yoke | _crew(26, 17)] = TEAL
    assert not seen_through_neck(_photo(image), alpha, _pose(), Category.UPPER, by_hue=True).any()


def test_a_deep_v_is_compared_without_its_lining_and_bares_the_chest_on_a_shopper_in_a_high_neckline() -> None:
    """The same outline as the old top but for the V: with the lining filling it, the shapes matched and the V was
    dressed into the old top's high neckline as a panel of lining; the V is the neckline, so the new top is warped
    on and the skin under the V is repainted."""
    image, alpha = _velvet(VELVET)
    v_neck = np.zeros((H, W), np.uint8)
    cv2.fillPoly(v_neck, [np.array([(118, TOP), (182, TOP), (150, 140)], np.int32)], 1)
    image[v_neck > 0] = TEAL
    image[alpha == 0] = 0
    dressed = _dressed((100, 200), _photo(image), alpha)
    assert dressed.dressing == WARPED
    tip = (v_neck > 0) & _away_from(v_neck == 0, 3) & (np.arange(H)[:, None] >= TOP + 10)
    assert tip.sum() > 50
    skin = np.array((224, 172, 140))
    assert np.median(np.abs(dressed.image[tip].astype(int) - skin).max(axis=1)) < 40
