"""Drawn stand-ins for press photos and documents, made with Pillow.

Each scene is a stylised picture of something a press office photographs (a conference table, a speaker
at a podium, a handshake, a building, a group photo, a signing, a field exercise) in colours picked by a
seeded ``random.Random``, softened a little so that it reads as a photo rather than a diagram.
"""

from __future__ import annotations

import functools
import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

LANDSCAPE = (1600, 1067)
PORTRAIT = (1067, 1600)
JPEG_QUALITY = 78

RGB = tuple[int, int, int]

# Simplified flags of the member states and of the organisation: stripes, and an optional disc.
FLAGS: dict[str, tuple[tuple[RGB, ...], RGB | None]] = {
    "RU": (((255, 255, 255), (0, 57, 166), (213, 43, 30)), None),
    "BY": (((200, 49, 61), (200, 49, 61), (75, 164, 71)), None),
    "AM": (((217, 0, 18), (0, 51, 160), (242, 168, 0)), None),
    "KZ": (((0, 175, 202),), (254, 197, 4)),
    "KG": (((232, 17, 45),), (255, 239, 0)),
    "TJ": (((204, 0, 0), (255, 255, 255), (0, 102, 0)), None),
    "CSO": (((22, 45, 98),), (212, 175, 55)),
}

WALLS = ((222, 214, 196), (196, 206, 214), (214, 200, 186), (184, 196, 178), (230, 226, 218), (120, 38, 44))
SUITS = ((32, 36, 48), (44, 48, 62), (26, 28, 30), (58, 62, 70), (40, 52, 80), (70, 66, 60))
SKINS = ((234, 192, 160), (214, 168, 130), (198, 150, 116), (240, 206, 178), (176, 128, 96))
SHIRTS = ((245, 245, 245), (220, 230, 245), (250, 240, 230))
TIES = ((150, 30, 40), (30, 60, 130), (90, 90, 100), (20, 90, 70), (120, 90, 20))
CARPETS = ((140, 30, 36), (40, 60, 110), (96, 70, 50), (60, 90, 70))
WOODS = ((120, 78, 46), (146, 100, 62), (94, 60, 38), (170, 130, 90))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: the small bitmap font still draws.
        return ImageFont.load_default()


def _shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)  # type: ignore[return-value]


def _jitter(rng: random.Random, colour: RGB, amount: int = 14) -> RGB:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)  # type: ignore[return-value]


def _vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    # One line per row is far cheaper than resizing and compositing a full-size gradient mask.
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        share = y / max(1, height - 1)
        draw.line((0, y, width, y), fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)))
    return image


def _flag(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], code: str) -> None:
    stripes, disc = FLAGS[code]
    x0, y0, x1, y1 = box
    band = (y1 - y0) / len(stripes)
    for index, colour in enumerate(stripes):
        draw.rectangle((x0, int(y0 + index * band), x1, int(y0 + (index + 1) * band)), fill=colour)
    if disc:
        radius = min(x1 - x0, y1 - y0) // 3
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=disc)
    draw.rectangle(box, outline=_shade(stripes[0], 0.7), width=2)


def _standing_flag(draw: ImageDraw.ImageDraw, x: int, base: int, height: int, code: str) -> None:
    """A flag hanging from a pole, as they stand behind the table at official meetings."""
    draw.rectangle((x - 4, base - height, x + 4, base), fill=(180, 150, 80))
    draw.ellipse((x - 9, base - height - 14, x + 9, base - height + 4), fill=(200, 170, 90))
    width = int(height * 0.28)
    _flag(draw, (x + 5, base - height + 8, x + 5 + width, base - int(height * 0.25)), code)


def _bust(draw: ImageDraw.ImageDraw, rng: random.Random, cx: int, shoulders_y: int, scale: float) -> None:
    """Head and shoulders of a person in a suit; ``shoulders_y`` is the top of the shoulders."""
    suit = _jitter(rng, rng.choice(SUITS), 8)
    skin = rng.choice(SKINS)
    w = int(120 * scale)
    head = int(34 * scale)
    draw.rounded_rectangle(
        (cx - w // 2, shoulders_y, cx + w // 2, shoulders_y + int(150 * scale)), radius=int(30 * scale), fill=suit
    )
    draw.polygon(
        [(cx - int(18 * scale), shoulders_y), (cx + int(18 * scale), shoulders_y), (cx, shoulders_y + int(60 * scale))],
        fill=rng.choice(SHIRTS),
    )
    draw.polygon(
        [
            (cx - int(5 * scale), shoulders_y + int(6 * scale)),
            (cx + int(5 * scale), shoulders_y + int(6 * scale)),
            (cx, shoulders_y + int(56 * scale)),
        ],
        fill=rng.choice(TIES),
    )
    neck_top = shoulders_y - int(12 * scale)
    draw.rectangle((cx - int(12 * scale), neck_top, cx + int(12 * scale), shoulders_y + 4), fill=_shade(skin, 0.9))
    draw.ellipse((cx - head, neck_top - 2 * head, cx + head, neck_top + int(head * 0.3)), fill=skin)
    hair = rng.choice(((40, 30, 24), (90, 70, 50), (160, 160, 160), (20, 20, 20), (120, 90, 60)))
    draw.chord((cx - head, neck_top - 2 * head, cx + head, neck_top), start=180, end=360, fill=hair)


def _standing(draw: ImageDraw.ImageDraw, rng: random.Random, cx: int, feet_y: int, scale: float) -> None:
    """A whole standing figure: legs, then the bust on top."""
    suit = _jitter(rng, rng.choice(SUITS), 8)
    leg_top = feet_y - int(230 * scale)
    draw.rectangle((cx - int(42 * scale), leg_top, cx - int(4 * scale), feet_y), fill=suit)
    draw.rectangle((cx + int(4 * scale), leg_top, cx + int(42 * scale), feet_y), fill=suit)
    draw.ellipse((cx - int(50 * scale), feet_y - 10, cx - int(2 * scale), feet_y + 8), fill=(20, 18, 16))
    draw.ellipse((cx + int(2 * scale), feet_y - 10, cx + int(50 * scale), feet_y + 8), fill=(20, 18, 16))
    _bust(draw, rng, cx, leg_top - int(140 * scale), scale)


def _emblem(draw: ImageDraw.ImageDraw, cx: int, cy: int, radius: int, colour: RGB = (212, 175, 55)) -> None:
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=colour, width=max(3, radius // 12))
    points = []
    for index in range(12):
        r = radius * (0.75 if index % 2 == 0 else 0.32)
        angle = index * 3.14159 / 6
        points.append((cx + r * _cos(angle), cy + r * _sin(angle)))
    draw.polygon(points, fill=colour)


def _cos(angle: float) -> float:
    return math.cos(angle - math.pi / 2)


def _sin(angle: float) -> float:
    return math.sin(angle - math.pi / 2)


def _flag_codes(rng: random.Random, count: int) -> list[str]:
    members = ["AM", "BY", "KZ", "KG", "RU", "TJ"]
    rng.shuffle(members)
    codes = (members + ["CSO"]) * 2
    return codes[:count]


# ---------------------------------------------------------------------------------------------------------
# Scenes


def _scene_table(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    wall = _jitter(rng, rng.choice(WALLS))
    image = _vertical_gradient(size, _shade(wall, 1.08), _shade(wall, 0.82))
    draw = ImageDraw.Draw(image)
    # Tall windows with curtains on the back wall.
    for x in range(int(w * 0.06), w, int(w * 0.3)):
        draw.rectangle((x, int(h * 0.08), x + int(w * 0.12), int(h * 0.48)), fill=(206, 222, 236))
        draw.rectangle((x - 20, int(h * 0.05), x + 10, int(h * 0.5)), fill=_shade(wall, 0.7))
        draw.rectangle(
            (x + int(w * 0.12) - 10, int(h * 0.05), x + int(w * 0.12) + 20, int(h * 0.5)), fill=_shade(wall, 0.7)
        )
    floor_y = int(h * 0.52)
    draw.rectangle((0, floor_y, w, h), fill=rng.choice(CARPETS))
    codes = _flag_codes(rng, rng.randint(4, 7))
    for index, code in enumerate(codes):
        _standing_flag(draw, int(w * (0.2 + 0.6 * index / max(1, len(codes) - 1))), floor_y + 10, int(h * 0.42), code)
    # People seated behind the table.
    seats = rng.randint(4, 7)
    table_top = int(h * 0.66)
    for index in range(seats):
        cx = int(w * (0.14 + 0.72 * index / (seats - 1)))
        draw.rounded_rectangle((cx - 70, table_top - 250, cx + 70, table_top), radius=20, fill=(60, 40, 36))
        _bust(draw, rng, cx + rng.randint(-10, 10), table_top - 130, 0.95)
    wood = rng.choice(WOODS)
    draw.polygon(
        [(int(w * 0.04), table_top), (int(w * 0.96), table_top), (w, int(h * 0.78)), (0, int(h * 0.78))], fill=wood
    )
    draw.rectangle((0, int(h * 0.78), w, int(h * 0.9)), fill=_shade(wood, 0.7))
    for index in range(seats):
        cx = int(w * (0.14 + 0.72 * index / (seats - 1)))
        draw.rectangle((cx - 50, table_top + 30, cx + 50, table_top + 62), fill=(248, 248, 244))  # name plate
        draw.line((cx + 60, table_top + 40, cx + 30, table_top - 60), fill=(30, 30, 30), width=4)  # microphone
        draw.ellipse((cx + 22, table_top - 72, cx + 40, table_top - 54), fill=(40, 40, 40))
        draw.rectangle((cx - 40, table_top + 70, cx + 30, table_top + 110), fill=(236, 236, 232))  # papers
    return image


def _scene_podium(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    backdrop = rng.choice(((22, 45, 98), (30, 70, 120), (70, 30, 40), (40, 80, 90)))
    image = _vertical_gradient(size, _shade(backdrop, 1.2), _shade(backdrop, 0.6))
    draw = ImageDraw.Draw(image)
    for x in range(0, w, 180):  # pattern of the backdrop banner
        _emblem(draw, x + 90, int(h * 0.1), 46, _shade((212, 175, 55), 0.7))
    draw.text((w // 2, int(h * 0.25)), "CSO", font=_font(max(40, w // 14)), fill=(232, 214, 150), anchor="mm")
    floor_y = int(h * 0.7)
    draw.rectangle((0, floor_y, w, h), fill=_shade(rng.choice(CARPETS), 0.8))
    for x, code in ((int(w * 0.12), "CSO"), (int(w * 0.82), rng.choice(["RU", "KZ", "BY", "AM", "KG", "TJ"]))):
        _standing_flag(draw, x, floor_y + 20, int(h * 0.5), code)
    cx = w // 2 + rng.randint(-w // 20, w // 20)
    _bust(draw, rng, cx, int(h * 0.42), 1.5 * min(w, h) / 1067)
    wood = rng.choice(WOODS)
    top = int(h * 0.55)
    draw.polygon([(cx - 170, top), (cx + 170, top), (cx + 130, floor_y + 40), (cx - 130, floor_y + 40)], fill=wood)
    draw.rectangle((cx - 185, top - 16, cx + 185, top + 8), fill=_shade(wood, 1.2))
    _emblem(draw, cx, top + 90, 50)
    draw.line((cx - 30, top - 10, cx - 12, top - 80), fill=(20, 20, 20), width=5)
    draw.line((cx + 30, top - 10, cx + 12, top - 80), fill=(20, 20, 20), width=5)
    # The audience's heads in the foreground, out of focus.
    crowd = Image.new("RGBA", size, (0, 0, 0, 0))
    crowd_draw = ImageDraw.Draw(crowd)
    for index in range(rng.randint(7, 11)):
        x = int(w * (index + rng.random() * 0.5) / 9)
        y = h - rng.randint(20, 90)
        r = rng.randint(60, 90)
        crowd_draw.ellipse((x - r, y - r, x + r, y + r + 60), fill=(*rng.choice(((30, 26, 24), (60, 50, 40))), 255))
    # Blurred at a quarter of the size: the same out-of-focus look at a fraction of the cost.
    crowd = crowd.reduce(4).filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BILINEAR)
    image.paste(crowd, (0, 0), crowd)
    return image


def _scene_handshake(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    wall = _jitter(rng, rng.choice(WALLS))
    image = _vertical_gradient(size, _shade(wall, 1.05), _shade(wall, 0.75))
    draw = ImageDraw.Draw(image)
    floor_y = int(h * 0.74)
    for x in range(int(w * 0.1), w, int(w * 0.2)):  # panelling
        draw.rectangle((x, int(h * 0.12), x + int(w * 0.14), floor_y - 40), outline=_shade(wall, 0.85), width=6)
    draw.rectangle((0, floor_y, w, h), fill=rng.choice(CARPETS))
    codes = ["CSO", rng.choice(["AM", "BY", "KZ", "KG", "RU", "TJ"])]
    _standing_flag(draw, int(w * 0.42), floor_y, int(h * 0.6), codes[0])
    _standing_flag(draw, int(w * 0.52), floor_y, int(h * 0.6), codes[1])
    scale = h / 1067 * 1.2
    left, right = int(w * 0.36), int(w * 0.64)
    for cx in (left, right):
        _standing(draw, rng, cx, floor_y + int(150 * scale) - 40, scale)
    arm_y = floor_y - int(230 * scale) + int(150 * scale) - 40 - int(90 * scale)
    sleeve = (36, 38, 46)
    draw.line((left + int(40 * scale), arm_y - 20, w // 2 - 10, arm_y + 30), fill=sleeve, width=int(34 * scale))
    draw.line((right - int(40 * scale), arm_y - 20, w // 2 + 10, arm_y + 30), fill=sleeve, width=int(34 * scale))
    hand = rng.choice(SKINS)
    draw.ellipse((w // 2 - 34, arm_y + 8, w // 2 + 34, arm_y + 56), fill=hand)
    return image


def _scene_facade(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    sky_top = rng.choice(((90, 140, 210), (120, 160, 200), (160, 180, 200), (70, 110, 170)))
    image = _vertical_gradient(size, sky_top, (220, 230, 240))
    clouds = Image.new("L", size, 0)
    cloud_draw = ImageDraw.Draw(clouds)
    for _index in range(rng.randint(4, 8)):
        x, y = rng.randint(0, w), rng.randint(0, int(h * 0.3))
        cloud_draw.ellipse((x - 160, y - 40, x + 160, y + 50), fill=rng.randint(120, 200))
    image.paste((255, 255, 255), (0, 0), clouds.filter(ImageFilter.GaussianBlur(24)))
    draw = ImageDraw.Draw(image)
    stone = rng.choice(((226, 214, 190), (236, 232, 222), (200, 170, 140), (214, 200, 170), (190, 196, 200)))
    x0, x1 = int(w * 0.08), int(w * 0.92)
    top, ground = int(h * 0.32), int(h * 0.78)
    draw.rectangle((x0, top, x1, ground), fill=stone)
    draw.polygon([(int(w * 0.3), top), (int(w * 0.7), top), (w // 2, int(h * 0.2))], fill=_shade(stone, 0.92))
    draw.rectangle((x0 - 10, top - 14, x1 + 10, top), fill=_shade(stone, 0.8))
    rows, cols = rng.randint(3, 4), rng.randint(9, 13)
    glass = rng.choice(((70, 90, 110), (110, 130, 150), (60, 70, 80)))
    for row in range(rows):
        for col in range(cols):
            wx = x0 + 30 + col * (x1 - x0 - 60) // cols
            wy = top + 30 + row * (ground - top - 140) // rows
            draw.rectangle((wx, wy, wx + (x1 - x0) // cols - 40, wy + 60), fill=glass)
    for index in range(6):  # portico columns
        cx = int(w * 0.32 + index * w * 0.072)
        draw.rectangle((cx - 14, top + 10, cx + 14, ground - 60), fill=_shade(stone, 1.08))
        draw.rectangle((cx - 22, top + 4, cx + 22, top + 18), fill=_shade(stone, 0.9))
    for step in range(5):
        draw.rectangle(
            (int(w * 0.28) - step * 12, ground - 60 + step * 12, int(w * 0.72) + step * 12, ground - 48 + step * 12),
            fill=_shade(stone, 0.85 - step * 0.03),
        )
    draw.rectangle((0, ground, w, h), fill=(96, 128, 70))
    draw.rectangle((int(w * 0.3), ground, int(w * 0.7), h), fill=(170, 164, 150))
    for index, code in enumerate(_flag_codes(rng, 3)):
        _standing_flag(draw, int(w * (0.42 + index * 0.08)), int(h * 0.2) + 4, int(h * 0.16), code)
    for x in (int(w * 0.04), int(w * 0.96)):  # trees
        leaves = _jitter(rng, (60, 110, 60), 20)
        draw.rectangle((x - 10, ground - 120, x + 10, ground + 20), fill=(80, 60, 40))
        draw.ellipse((x - 110, ground - 330, x + 110, ground - 80), fill=leaves)
    return image


def _scene_group(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    banner = rng.choice(((22, 45, 98), (28, 90, 120), (110, 36, 46), (40, 70, 60)))
    image = _vertical_gradient(size, _shade(banner, 1.2), _shade(banner, 0.7))
    draw = ImageDraw.Draw(image)
    draw.text((w // 2, int(h * 0.12)), "CSO", font=_font(max(40, w // 16)), fill=(236, 220, 160), anchor="mm")
    _emblem(draw, int(w * 0.38), int(h * 0.12), 44)
    _emblem(draw, int(w * 0.62), int(h * 0.12), 44)
    floor_y = int(h * 0.8)
    draw.rectangle((0, floor_y, w, h), fill=rng.choice(CARPETS))
    for row, (y, count, scale) in enumerate(((0.38, 8, 0.75), (0.48, 7, 0.85), (0.6, 6, 1.0))):
        for index in range(count):
            cx = int(w * (0.1 + 0.8 * (index + 0.5 * (row % 2)) / count)) + rng.randint(-12, 12)
            _bust(draw, rng, cx, int(h * y) + rng.randint(-8, 8), scale * w / 1600)
    return image


def _scene_signing(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    wall = _jitter(rng, rng.choice(WALLS))
    image = _vertical_gradient(size, _shade(wall, 1.05), _shade(wall, 0.8))
    draw = ImageDraw.Draw(image)
    floor_y = int(h * 0.6)
    draw.rectangle((0, floor_y, w, h), fill=rng.choice(CARPETS))
    for index, code in enumerate(_flag_codes(rng, 4)):
        _standing_flag(draw, int(w * (0.2 + index * 0.2)), floor_y, int(h * 0.5), code)
    for cx in (int(w * 0.25), int(w * 0.45), int(w * 0.55), int(w * 0.75)):  # officials standing behind
        _bust(draw, rng, cx, int(h * 0.36), 0.8)
    table_top = int(h * 0.68)
    for cx in (int(w * 0.33), int(w * 0.67)):
        _bust(draw, rng, cx, table_top - 150, 1.05)
    cloth = rng.choice(((30, 70, 60), (40, 50, 90), (120, 30, 40)))
    draw.rectangle((int(w * 0.08), table_top, int(w * 0.92), h), fill=cloth)
    draw.rectangle((int(w * 0.08), table_top, int(w * 0.92), table_top + 16), fill=_shade(cloth, 1.3))
    for cx in (int(w * 0.33), int(w * 0.67)):
        draw.rectangle((cx - 110, table_top + 30, cx + 110, table_top + 120), fill=(128, 22, 30))  # folder
        draw.rectangle((cx - 100, table_top + 36, cx + 100, table_top + 112), fill=(250, 248, 240))
        draw.line((cx + 20, table_top + 90, cx + 90, table_top + 50), fill=(20, 20, 20), width=6)  # pen
    _flag(draw, (w // 2 - 60, table_top - 90, w // 2 - 4, table_top - 50), "CSO")
    _flag(draw, (w // 2 + 4, table_top - 90, w // 2 + 60, table_top - 50), rng.choice(["RU", "KZ", "BY"]))
    draw.line((w // 2, table_top - 90, w // 2, table_top), fill=(180, 150, 80), width=4)
    return image


def _scene_field(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    w, h = size
    image = _vertical_gradient(size, rng.choice(((110, 160, 220), (150, 180, 210), (200, 200, 190))), (236, 230, 214))
    draw = ImageDraw.Draw(image)
    horizon = int(h * 0.45)
    hills = rng.choice(((120, 110, 90), (100, 120, 90), (150, 130, 100)))
    points = [(0, horizon)]
    for index in range(9):
        points.append((int(w * (index + 0.5) / 8), horizon - rng.randint(40, 200)))
    points += [(w, horizon), (w, h), (0, h)]
    draw.polygon(points, fill=hills)
    draw.polygon(
        [(0, horizon + 40), (w, horizon + 10), (w, h), (0, h)], fill=rng.choice(((170, 150, 100), (120, 140, 80)))
    )
    olive = (86, 96, 60)
    for index in range(rng.randint(2, 4)):  # vehicles
        x = int(w * (0.1 + index * 0.24)) + rng.randint(-30, 30)
        y = int(h * 0.62) + rng.randint(-30, 40)
        draw.rounded_rectangle((x, y - 90, x + 260, y), radius=14, fill=_jitter(rng, olive, 10))
        draw.rectangle((x + 170, y - 150, x + 250, y - 80), fill=_shade(olive, 0.85))
        draw.rectangle((x + 184, y - 138, x + 236, y - 104), fill=(150, 170, 180))
        for wheel in (x + 40, x + 130, x + 210):
            draw.ellipse((wheel - 28, y - 28, wheel + 28, y + 28), fill=(28, 28, 26))
    for index in range(rng.randint(2, 3)):  # tents
        x = int(w * (0.62 + index * 0.11))
        draw.polygon([(x, int(h * 0.5)), (x + 70, int(h * 0.5) - 80), (x + 140, int(h * 0.5))], fill=(110, 120, 80))
    for _index in range(rng.randint(8, 14)):  # people in uniform
        x = rng.randint(40, w - 40)
        y = int(h * 0.78) + rng.randint(-40, 160)
        scale = 0.28 + (y - h * 0.7) / h
        body = _jitter(rng, (80, 90, 56), 10)
        draw.rectangle((x - int(30 * scale), y - int(260 * scale), x + int(30 * scale), y), fill=body)
        draw.ellipse(
            (x - int(24 * scale), y - int(320 * scale), x + int(24 * scale), y - int(262 * scale)),
            fill=rng.choice(SKINS),
        )
        draw.chord(
            (x - int(28 * scale), y - int(330 * scale), x + int(28 * scale), y - int(280 * scale)),
            180,
            360,
            fill=(60, 70, 40),
        )
    _standing_flag(draw, int(w * 0.9), int(h * 0.55), int(h * 0.3), "CSO")
    return image


SCENES: dict[str, Callable[[random.Random, tuple[int, int]], Image.Image]] = {
    "table": _scene_table,
    "podium": _scene_podium,
    "handshake": _scene_handshake,
    "facade": _scene_facade,
    "group": _scene_group,
    "signing": _scene_signing,
    "field": _scene_field,
}
# Scenes that also work as an upright picture.
PORTRAIT_SCENES = {"podium", "facade"}


@functools.cache
def _vignette(size: tuple[int, int]) -> Image.Image:
    return Image.radial_gradient("L").resize(size).point(lambda value: min(255, int(value * 0.55)))


def draw_photo(scene: str, rng: random.Random, *, portrait: bool = False) -> bytes:
    """A JPEG of ``scene``, drawn with the colours ``rng`` picks and softened like a real photo."""
    size = PORTRAIT if portrait and scene in PORTRAIT_SCENES else LANDSCAPE
    image = SCENES[scene](rng, size)
    # Halving and enlarging again softens the hard edges like a lens would, much faster than a Gaussian blur;
    # the vignette (cameras darken the corners) is applied on the small copy for the same reason.
    small = image.reduce(2)
    small = Image.composite(Image.new("RGB", small.size, (0, 0, 0)), small, _vignette(small.size))
    image = small.resize(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def draw_document(title: str, subtitle: str, rng: random.Random) -> bytes:
    """A one-page PDF that looks like an official document: emblem, title, paragraphs, signatures."""
    width, height = 1240, 1754  # A4 at 150 dpi
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    _emblem(draw, width // 2, 170, 70, 60)
    draw.text((width // 2, 300), "COMMONWEALTH SECURITY ORGANISATION", font=_font(34), fill=20, anchor="mm")
    draw.text((width // 2, 400), title.upper(), font=_font(40), fill=0, anchor="mm")
    draw.text((width // 2, 460), subtitle, font=_font(28), fill=60, anchor="mm")
    y = 560
    for _paragraph in range(rng.randint(5, 7)):
        lines = rng.randint(3, 6)
        for line in range(lines):
            right = width - 150 if line < lines - 1 else rng.randint(500, width - 200)
            draw.rectangle((150 if line else 200, y, right, y + 14), fill=rng.choice((150, 165, 180)))
            y += 32
        y += 30
    for x in (250, 800):
        draw.line((x - 100, height - 260, x + 150, height - 260), fill=0, width=2)
        draw.arc((x - 60, height - 330, x + 120, height - 250), 200, 340, fill=30, width=4)
    draw.text(
        (width // 2, height - 120), "Demo document generated for cso_press", font=_font(22), fill=120, anchor="mm"
    )
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150.0, title=title)
    return buffer.getvalue()
