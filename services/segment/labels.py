"""Class tables of the segmentation models: index i of each tuple is output channel / label value i.

Other code imports these instead of repeating the lists; the SCHP tables are the ones its official
release was trained with (LIP, ATR, Pascal-Person-Part), in the order of its logits.
"""

from __future__ import annotations

from typing import Final

LIP_LABELS: Final = (
    "Background", "Hat", "Hair", "Glove", "Sunglasses", "Upper-clothes", "Dress", "Coat", "Socks", "Pants",
    "Jumpsuits", "Scarf", "Skirt", "Face", "Left-arm", "Right-arm", "Left-leg", "Right-leg", "Left-shoe",
    "Right-shoe",
)
ATR_LABELS: Final = (
    "Background", "Hat", "Hair", "Sunglasses", "Upper-clothes", "Skirt", "Pants", "Dress", "Belt",
    "Left-shoe", "Right-shoe", "Face", "Left-leg", "Right-leg", "Left-arm", "Right-arm", "Bag", "Scarf",
)
PASCAL_PERSON_PART_LABELS: Final = (
    "Background", "Head", "Torso", "Upper Arms", "Lower Arms", "Upper Legs", "Lower Legs",
)
# levindabhi/cloth-segmentation U^2-Net classes.
CLOTH_SEGM_LABELS: Final = ("Background", "Upper body", "Lower body", "Full body")

# Square network input (height, width) each SCHP checkpoint was trained and is evaluated at.
LIP_INPUT_SIZE: Final = (473, 473)
ATR_INPUT_SIZE: Final = (512, 512)
PASCAL_PERSON_PART_INPUT_SIZE: Final = (512, 512)

SCHP_LABELS: Final = {"lip": LIP_LABELS, "atr": ATR_LABELS, "pascal": PASCAL_PERSON_PART_LABELS}
SCHP_INPUT_SIZES: Final = {
    "lip": LIP_INPUT_SIZE, "atr": ATR_INPUT_SIZE, "pascal": PASCAL_PERSON_PART_INPUT_SIZE,
}
