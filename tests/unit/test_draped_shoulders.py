"""A warped top's shoulders grown up to the body's outline (`warp_gen.shoulders`), on a synthetic shopper."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.warp_gen.shoulders import draped_shoulders

H, W = 400, 300
RED = (200, 30, 30)
SKIN = (200, 150, 120)
BACKDROP = (235, 235, 235)


def _scene(garment_top: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Person from row 96 down (shoulders 14 px above the joints at row 110), a garment from `garment_top`."""
    person = np.zeros((H, W), np.float32)
    person[96:, 90:210] = 1
    alpha = np.zeros((H, W), np.float32)
    alpha[garment_top:300, 95:205] = 1
    image = np.zeros((H, W, 3), np.uint8)
    image[alpha > 0] = RED
    return image, alpha, person


def _photo(body: np.ndarray) -> np.ndarray:
    """The shopper's photo: skin where `body` is, a studio's pale backdrop round it."""
    photo = np.full((H, W, 3), BACKDROP, np.uint8)
    photo[body > 0.5] = SKIN
    return photo


def test_a_thin_gap_over_the_shoulder_becomes_garment_in_the_garments_colour() -> None:
    image, alpha, person = _scene(garment_top=104)  # 8 px below the outline: under MAX_GAP of 90 px
    under = (person > 0).astype(np.uint8)
    draped, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), _photo(person))
    assert grown[96:104, 120].min() == 1 and grown[95, 120] == 0  # up to the outline, not past it
    assert tuple(draped[97, 120]) == RED
    assert np.array_equal(grown[104:], alpha[104:])  # nothing below the old top changes


def test_a_gap_with_something_in_front_or_too_deep_stays() -> None:
    image, alpha, person = _scene(garment_top=104)
    under = (person > 0).astype(np.uint8)
    under[100, 100:140] = 0  # hair lying on the shoulder on the image-left side
    _, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), _photo(person))
    assert grown[101:104, 120].max() == 0 and grown[101:104, 180].min() == 1
    image, alpha, person = _scene(garment_top=120)  # 24 px: a neckline's depth, not a shoulder's gap
    _, grown = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(), _photo(person))
    assert np.array_equal(grown, alpha)


def test_an_old_camisoles_strap_across_the_gap_is_draped_over() -> None:
    """The worn garment's mask left a camisole's strap out: neither skin nor old garment, 3 px across, with skin
    both sides. Stopped there, the new shoulder ended below the strap, which stood above it."""
    image, alpha, person = _scene(garment_top=104)
    under = (person > 0).astype(np.uint8)
    under[96:104, 119:122] = 0  # the strap, running down over the shoulder into the gap
    draped, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), _photo(person))
    assert grown[96:104, 118:123].min() == 1
    assert tuple(draped[98, 120]) == RED


def test_a_person_mask_raised_by_hairs_halo_is_not_draped_past_the_shoulders_edge() -> None:
    """Beside hair falling to the shoulder the person mask stands a few px above the shoulder, over pixels the
    photo shows as backdrop (the hair's halo): the shoulder ends where the photo's skin does."""
    image, alpha, person = _scene(garment_top=104)
    photo = _photo(person)
    person[92:96, 100:140] = 0.8  # the halo: in the mask, the backdrop's colour on the photo
    under = (person > 0).astype(np.uint8)
    _, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), photo)
    assert grown[95:104, 120].min() == 1 and grown[92:95, 120].max() == 0  # the halo's last px goes with it
    assert grown[96:104, 180].min() == 1 and grown[95, 180] == 0  # no halo there: as before


def test_the_outlines_blend_of_skin_and_backdrop_is_draped_over() -> None:
    """A pale shoulder's anti-aliased outline, more backdrop than skin: left as the photo has it, it drew a beige
    line along the new shoulder."""
    image, alpha, person = _scene(garment_top=104)
    photo = _photo(person)
    photo[96] = np.round(0.3 * np.array(SKIN) + 0.7 * np.array(BACKDROP)).astype(np.uint8)
    person[96] = 0.6
    _, grown = draped_shoulders(image, alpha, person, (person > 0.5).astype(np.uint8), frontal_pose(), photo)
    assert grown[96:104, 120].min() == 1 and grown[95, 120] == 0


def test_where_the_body_has_the_backdrops_colour_the_mask_outline_is_kept() -> None:
    """A white shirt on a white backdrop: the photo cannot tell them apart, the person mask's outline stands."""
    image, alpha, person = _scene(garment_top=104)
    person[92:96, 100:140] = 0.8
    under = (person > 0).astype(np.uint8)
    photo = np.full((H, W, 3), BACKDROP, np.uint8)
    photo[person > 0.5] = (240, 240, 238)
    _, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), photo)
    assert grown[92:104, 120].min() == 1 and grown[91, 120] == 0


def test_the_garments_rim_under_the_draped_shoulder_takes_its_colour_from_inside() -> None:
    """The warped garment's top edge is a blend with the product photo's backdrop: left where it was, it drew a
    dotted pale line across the draped shoulder."""
    image, alpha, person = _scene(garment_top=104)
    image[104:106, 95:205] = BACKDROP  # the rim, INSIDE_PX rows
    draped, _ = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(), _photo(person))
    assert (draped[96:110, 120] == RED).all()


def test_pale_skin_above_a_dark_old_garment_is_the_body_not_a_halo() -> None:
    """A shoulder's skin above a black camisole: farther from the backdrop than a halo, though nearer it than to
    the camisole just below. Taken for backdrop, the drape stopped under it and left a band of skin."""
    image, alpha, person = _scene(garment_top=104)
    photo = _photo(person)
    photo[100:] = np.where(person[100:, :, None] > 0.5, np.uint8(20), photo[100:])  # the old black top
    _, grown = draped_shoulders(image, alpha, person, (person > 0.5).astype(np.uint8), frontal_pose(), photo)
    assert grown[96:104, 120].min() == 1 and grown[95, 120] == 0


def test_the_photos_edge_only_lowers_a_drape_the_person_mask_allows() -> None:
    """A halo over a gap too deep for a shoulder: ending on the photo's edge, the gap would pass for a
    shoulder's, and its column, mirrored up from far below, drew a streak of a dark sleeve along the shoulder."""
    image, alpha, person = _scene(garment_top=112)
    photo = _photo(person)
    photo[96:100] = BACKDROP
    person[96:100] = 0.8
    _, grown = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(), photo)
    assert np.array_equal(grown, alpha)


def test_the_backdrop_the_mask_takes_in_beside_the_hair_is_no_garment() -> None:
    """Beside a bob the person mask fills the corner between the hair and a sloping shoulder (0.95) over pixels
    the photo shows as backdrop; the fit's straight shoulder line, higher there, stood in it as a tab."""
    image, alpha, person = _scene(garment_top=84)
    photo = _photo(person)
    person[80:96, 95:125] = 0.95  # the corner: in the mask, the backdrop's colour on the photo
    under = (np.all(photo == SKIN, axis=2)).astype(np.uint8)
    _, grown = draped_shoulders(image, alpha, person, under, frontal_pose(), photo)
    assert grown[84:96, 95:125].max() == 0  # 16 px deep: past the mask's rim, cleared whole
    assert grown[96:300, 95:205].min() == 1  # on the skin: as it was


def test_a_garment_of_the_backdrops_colour_under_the_new_one_is_not_backdrop() -> None:
    """A white shirt on a white backdrop: the old garment (`under`) is never taken for the backdrop."""
    image, alpha, person = _scene(garment_top=96)
    photo = np.full((H, W, 3), BACKDROP, np.uint8)
    photo[person > 0.5] = (236, 236, 235)
    _, grown = draped_shoulders(image, alpha, person, (person > 0.5).astype(np.uint8), frontal_pose(), photo)
    assert np.array_equal(grown, alpha)


LILAC = (190, 170, 215)
RIB = (60, 40, 80)


def test_a_drape_carries_the_shoulders_cloth_not_a_rib_or_the_hidden_inside_back() -> None:
    """A lilac tee with a dark rib at the neck's side and, under a thin rib, its inside back (hidden: off the
    garment, its fill's grey left in the image). Mirrored up, the rib's column drew a dark streak over the
    shoulder and the hidden rows a grey one: the drape is the shoulder's lilac there."""
    image, alpha, person = _scene(garment_top=104)
    image[alpha > 0] = LILAC
    image[104:130, 130:135] = RIB  # the rib down the neck's side, 5 columns of the shoulder's 45
    image[104:106, 160:166] = RIB  # a thin rib, with the inside back below it
    image[106:112, 160:166] = (128, 128, 128)
    alpha[106:112, 160:166] = 0
    draped, grown = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(),
                                     _photo(person))
    assert grown[96:104, 132].min() == 1 and grown[96:104, 163].min() == 1
    assert np.abs(draped[96:104, 128:168].astype(int) - LILAC).max() <= 2
    assert (draped[106:130, 132] == RIB).all()  # the garment itself below its rim stays as it was


def test_a_prints_shoulder_is_mirrored_up_as_it_is() -> None:
    """A floral's shoulder: its motifs many colours. Each column's drape mirrors its own rows (whitened to the
    ground's colour, the flowers stood cut flat under a pale cap)."""
    image, alpha, person = _scene(garment_top=104)
    image[alpha > 0] = (245, 245, 245)
    motifs = [(40, 120, 220), (220, 40, 140), (60, 170, 80), (240, 160, 30)]
    for n, x in enumerate(range(98, 200, 8)):  # small flowers in turn, a third of the shoulder
        image[104:130, x:x + 3] = motifs[n % len(motifs)]
    draped, _ = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(),
                                 _photo(person))
    for n, x in enumerate(range(98, 200, 8)):
        assert (draped[96:104, x + 1] == motifs[n % len(motifs)]).all()


HAIR = (40, 30, 25)


def _hair_above_shoulder(columns: slice) -> tuple[np.ndarray, np.ndarray]:
    """`draped_shoulders`' (draped, grown) on the scene with hair standing above the shoulder's outline in
    `columns` (rows 86..96, in the person mask)."""
    image, alpha, person = _scene(garment_top=104)
    under = (person > 0).astype(np.uint8)
    person[86:96, columns] = 1
    photo = _photo(person)
    photo[86:96, columns] = HAIR
    return draped_shoulders(image, alpha, person, under, frontal_pose(), photo)


def test_a_column_stopped_between_draped_ones_is_draped_with_them() -> None:
    """A strand of hair standing 2 px wide above the shoulder's outline in the person mask: its columns' gaps do
    not end on the outline, and left undraped they showed the old top between their draped neighbours as a thin
    dark stripe. They are draped from their neighbours' outline, the strand above it left as it is."""
    draped, grown = _hair_above_shoulder(slice(150, 152))
    assert grown[96:104, 148:154].min() == 1 and grown[86:96, 150:152].max() == 0
    assert (draped[96:104, 150] == RED).all()


def test_a_wide_run_of_stopped_columns_stays_undraped() -> None:
    """Hair lying on the shoulder, 20 columns: not a stripe between draped columns (MAX_SKIP)."""
    _, grown = _hair_above_shoulder(slice(140, 160))
    assert grown[96:104, 145:155].max() == 0 and grown[96:104, 120].min() == 1


def test_a_top_edge_at_the_outline_between_draped_columns_takes_their_rim() -> None:
    """A column whose garment already reaches the outline, its top rows a dark rib's: left as it was between
    draped columns (their rims mirrored from inside), its rib stood alone as a dark tick on the drape."""
    image, alpha, person = _scene(garment_top=104)
    alpha[96:104, 150] = 1
    image[96:98, 150] = RIB
    image[98:104, 150] = RED
    draped, grown = draped_shoulders(image, alpha, person, (person > 0).astype(np.uint8), frontal_pose(),
                                     _photo(person))
    assert grown[96:104, 148:153].min() == 1
    assert (draped[96:104, 150] == RED).all()
