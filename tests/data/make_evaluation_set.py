"""Build the evaluation pictures: digits and non-digits made by other means than anything digitnet tunes on.

    python tests/data/make_evaluation_set.py          # rewrites tests/data/evaluation/

Nothing in digitnet is fitted or tuned on these pictures (see docs/not-a-digit.md for what is
tuned on what): the drawing hand of ``draw_test_images.py`` and the procedural textures of
``digitnet.nondigits`` are one family, these are another.

evaluation/digits/    ``<d>-<how>-<n>.<ext>`` digits 0–9:
    mouse    a mouse on a canvas: the pointer sampled at uneven speed, joined by straight
             segments of a fixed-width pen (1–18 px on a 200–400 px canvas), with or without
             anti-aliasing, either polarity, some as RGBA with a transparent background
    font     printed digits from the fonts installed with matplotlib and the system (serif,
             sans, italic, bold, monospace, Computer Modern), of random size, weight and slant
    paper    a digit written with a felt pen on paper and photographed: uneven light, a
             shadow, paper grain, a slight perspective tilt, blur, camera noise, saved as JPEG
evaluation/non_digits/   ``<kind>-<what>-<n>.<ext>``:
    photo    whole pictures and crops of the sample photographs shipped with matplotlib (a
             portrait, an MRI slice, terrain relief rendered with colour maps, an icon, a logo)
             and of matplotlib charts and 3-D renderings, at random scale, as JPEG or PNG
    text     screenshots of lines of text in several fonts
    letter   single printed letters that do not look like digits (A E F H K M N R W X Y k m w)
    mark     things drawn with the mouse: arrows, ticks of a box, shapes, smileys, a single
             dot or tap, a crossed-out mark, scribbles, a hash sign, an asterisk
"""

import io
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

HERE = Path(__file__).parent
TARGET = HERE / "evaluation"
SEED = 7_041
SAMPLES = Path(matplotlib.get_data_path()) / "sample_data"
FONT_FILES = sorted(
    {
        *Path(matplotlib.get_data_path(), "fonts", "ttf").glob("*.ttf"),
        *Path("/usr/share/fonts/truetype").glob("*/*.ttf"),
    }
)
DIGIT_FONTS = [
    f
    for f in FONT_FILES
    if not any(skip in f.name for skip in ("Siz", "NonUni", "cmex", "cmsy", "cmmi", "LastResort", "Math"))
]

# Skeletons of mouse-drawn digits, two ways of writing each, as key points in a unit box (x right, y down)
# joined by Catmull-Rom splines; every list is one stroke.
SKELETONS = {
    "0": [
        [[(0.5, 0), (0.15, 0.2), (0.1, 0.6), (0.45, 1), (0.85, 0.7), (0.85, 0.25), (0.5, 0), (0.4, 0.05)]],
        [[(0.55, 0.05), (0.2, 0.3), (0.25, 0.85), (0.6, 0.95), (0.8, 0.5), (0.6, 0.05), (0.5, 0.05)]],
    ],
    "1": [[[(0.5, 0), (0.5, 1)]], [[(0.25, 0.2), (0.55, 0), (0.55, 1)], [(0.3, 1), (0.8, 1)]]],
    "2": [
        [[(0.15, 0.25), (0.45, 0), (0.85, 0.2), (0.7, 0.55), (0.1, 1), (0.9, 1)]],
        [[(0.1, 0.2), (0.5, 0), (0.9, 0.3), (0.15, 1), (0.95, 0.95)]],
    ],
    "3": [
        [[(0.15, 0.1), (0.6, 0), (0.8, 0.25), (0.4, 0.48), (0.85, 0.7), (0.6, 1), (0.1, 0.9)]],
        [[(0.1, 0), (0.85, 0), (0.4, 0.4), (0.85, 0.65), (0.55, 1), (0.1, 0.85)]],
    ],
    "4": [
        [[(0.6, 0), (0.05, 0.65), (0.95, 0.65)], [(0.65, 0.3), (0.65, 1)]],
        [[(0.2, 0), (0.15, 0.55), (0.85, 0.55)], [(0.8, 0), (0.8, 1)]],
    ],
    "5": [
        [[(0.85, 0), (0.25, 0), (0.2, 0.45), (0.65, 0.4), (0.85, 0.7), (0.55, 1), (0.1, 0.9)]],
        [[(0.25, 0), (0.2, 0.45), (0.7, 0.45), (0.8, 0.8), (0.45, 1), (0.15, 0.85)], [(0.25, 0), (0.85, 0)]],
    ],
    "6": [
        [[(0.75, 0), (0.3, 0.3), (0.15, 0.75), (0.5, 1), (0.85, 0.75), (0.5, 0.5), (0.2, 0.7)]],
        [[(0.6, 0), (0.2, 0.55), (0.3, 0.95), (0.75, 0.9), (0.7, 0.55), (0.25, 0.6)]],
    ],
    "7": [
        [[(0.05, 0), (0.95, 0), (0.35, 1)]],
        [[(0.05, 0.1), (0.95, 0), (0.5, 0.5), (0.4, 1)], [(0.3, 0.5), (0.75, 0.5)]],
    ],
    "8": [
        [[(0.5, 0.45), (0.15, 0.2), (0.5, 0), (0.85, 0.2), (0.15, 0.75), (0.5, 1), (0.85, 0.75), (0.5, 0.45)]],
        [[(0.55, 0), (0.2, 0.2), (0.75, 0.6), (0.5, 1), (0.25, 0.65), (0.8, 0.25), (0.55, 0)]],
    ],
    "9": [
        [[(0.8, 0.3), (0.45, 0.5), (0.15, 0.25), (0.5, 0), (0.8, 0.3), (0.75, 1)]],
        [[(0.85, 0.25), (0.5, 0.45), (0.2, 0.25), (0.5, 0), (0.85, 0.25), (0.55, 1)]],
    ],
}
MARKS = {  # things that are not digits, drawn with the same mouse
    "tick": [[(0, 0.55), (0.35, 1), (1, 0)]],
    "cross": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "hash": [[(0.3, 0), (0.25, 1)], [(0.7, 0), (0.65, 1)], [(0, 0.35), (1, 0.35)], [(0, 0.7), (1, 0.7)]],
    "asterisk": [[(0.5, 0), (0.5, 1)], [(0.07, 0.25), (0.93, 0.75)], [(0.93, 0.25), (0.07, 0.75)]],
    "arrow": [[(0, 0.5), (1, 0.5)], [(0.7, 0.2), (1, 0.5), (0.7, 0.8)]],
    "arrow-up": [[(0.5, 1), (0.5, 0)], [(0.2, 0.3), (0.5, 0), (0.8, 0.3)]],
    "double-arrow": [[(0, 0.5), (1, 0.5)], [(0.2, 0.25), (0, 0.5), (0.2, 0.75)], [(0.8, 0.25), (1, 0.5), (0.8, 0.75)]],
    "box": [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]],
    "triangle": [[(0.5, 0), (1, 1), (0, 1), (0.5, 0)]],
    "star": [[(0.5, 0), (0.8, 1), (0, 0.35), (1, 0.35), (0.2, 1), (0.5, 0)]],
    "smiley": [
        [(0.5, 0), (0.1, 0.15), (0, 0.5), (0.15, 0.9), (0.5, 1), (0.85, 0.9), (1, 0.5), (0.9, 0.15), (0.5, 0)],
        [(0.25, 0.6), (0.5, 0.8), (0.75, 0.6)],
        [(0.33, 0.3), (0.34, 0.33)],
        [(0.66, 0.3), (0.67, 0.33)],
    ],
    "envelope": [[(0, 0.2), (1, 0.2), (1, 0.85), (0, 0.85), (0, 0.2), (0.5, 0.55), (1, 0.2)]],
    "lightning": [[(0.6, 0), (0.2, 0.55), (0.6, 0.5), (0.35, 1)]],
    "spiral": [
        [
            (0.5, 0.5),
            (0.6, 0.45),
            (0.6, 0.6),
            (0.4, 0.65),
            (0.3, 0.4),
            (0.55, 0.25),
            (0.8, 0.45),
            (0.75, 0.8),
            (0.35, 0.9),
            (0.1, 0.55),
            (0.25, 0.15),
            (0.7, 0.05),
            (1, 0.4),
        ]
    ],
    "crossed-out": [
        [(0, 0.3), (0.2, 0.7), (0.4, 0.3), (0.6, 0.7), (0.8, 0.3), (1, 0.7)],
        [(0, 0.1), (1, 0.9)],
        [(0, 0.9), (1, 0.1)],
    ],
    "scribble": None,  # random points
    "dot": None,  # a single tap
}
LETTERS = "AEFHKMNRWXYkmw"


def catmull_rom(points, per_segment=12):
    """A smooth curve through ``points`` (k, 2): (m, 2)."""
    points = np.asarray(points, float)
    if len(points) < 3:
        return np.linspace(points[0], points[-1], per_segment)
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    curve = []
    for p0, p1, p2, p3 in zip(padded, padded[1:], padded[2:], padded[3:]):
        curve.append(
            0.5
            * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    return np.vstack(curve + [points[-1:]])


def corners(points, per_segment=12):
    """Straight segments through ``points`` (k, 2), densely sampled: (m, 2)."""
    points = np.asarray(points, float)
    return np.vstack(
        [np.linspace(a, b, per_segment, endpoint=False) for a, b in zip(points, points[1:])] + [points[-1:]]
    )


def mouse_path(curve, rng):
    """The pointer's samples along ``curve``: uneven speed (sparse where fast), a little jitter."""
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(curve, axis=0), axis=1))]
    if lengths[-1] == 0:
        return curve
    steps = np.cumsum(rng.uniform(0.01, 0.06, 200))
    at = np.r_[0, steps[steps < lengths[-1]], lengths[-1]]
    samples = np.stack([np.interp(at, lengths, curve[:, k]) for k in range(2)], axis=1)
    return samples + rng.normal(0, 0.006, samples.shape)


def mouse_picture(strokes, rng, rgba_share=0.3, smooth=True):
    """A picture of ``strokes`` (unit box) drawn with a mouse on a canvas, through the key points
    smoothly or (``smooth=False``) in straight lines with corners: PIL image."""
    side = int(rng.integers(200, 401))
    supersample = 1 if rng.random() < 0.4 else 4  # 1: jagged, no anti-aliasing
    dark_ink = rng.random() < 0.5
    width = int(round(side * rng.uniform(0.005, 0.06))) or 1
    size = side * rng.uniform(0.35, 0.85)
    slant, turn, aspect = rng.normal(0, 0.15), rng.normal(0, 0.1), np.exp(rng.normal(0, 0.2))
    centre = side / 2 + rng.uniform(-0.5, 0.5, 2) * (side - size) * 0.7
    matrix = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]]) @ np.array(
        [[aspect, slant], [0, 1]]
    )
    big = side * supersample
    canvas = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(canvas)
    for stroke in strokes:
        path = mouse_path(catmull_rom(stroke) if smooth else corners(stroke), rng)
        xy = [tuple(p) for p in ((path - 0.5) @ matrix.T * size + centre) * supersample]
        draw.line(xy, fill=255, width=width * supersample, joint="curve")
        radius = width * supersample / 2
        for x, y in (xy[0], xy[-1]):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    ink = canvas.resize((side, side), Image.Resampling.LANCZOS) if supersample > 1 else canvas
    if rng.random() < rgba_share:  # ink on a transparent background, as a web canvas exports it
        colour = (0, 0, 0) if dark_ink else tuple(int(c) for c in rng.integers(150, 256, 3))
        picture = Image.new("RGBA", (side, side), colour + (0,))
        picture.putalpha(ink)
        return picture
    return Image.eval(ink, lambda v: 255 - v) if dark_ink else ink


def font_picture(text, rng, fonts):
    """``text`` printed in a random font from ``fonts``, at a random size and slant: PIL image."""
    for _ in range(20):
        font = ImageFont.truetype(str(fonts[rng.integers(len(fonts))]), int(rng.integers(40, 140)))
        box = font.getbbox(text)
        if box[2] - box[0] > 4 and box[3] - box[1] > 4:
            break
    pad = int(rng.integers(10, 60))
    width, height = box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad
    dark_ink = rng.random() < 0.6
    picture = Image.new("L", (width, height), 255 if dark_ink else 0)
    ImageDraw.Draw(picture).text((pad - box[0], pad - box[1]), text, font=font, fill=0 if dark_ink else 255)
    slant = rng.normal(0, 0.12)
    picture = picture.transform(
        (width, height),
        Image.Transform.AFFINE,
        (1, slant, -slant * height / 2, 0, 1, 0),
        Image.Resampling.BILINEAR,
        fillcolor=255 if dark_ink else 0,
    )
    return picture


def photographed(ink_picture, rng):
    """``ink_picture`` (L, white paper, dark ink) as a phone photo of paper: RGB image."""
    ink = np.asarray(ink_picture.convert("L"), float) / 255
    height, width = ink.shape
    rows, cols = np.mgrid[0:height, 0:width] / max(height, width)
    light = 0.75 + 0.2 * (rng.uniform(-1, 1) * rows + rng.uniform(-1, 1) * cols)  # uneven light
    if rng.random() < 0.6:  # a shadow edge
        edge = rng.uniform(0.2, 0.8) + rng.uniform(-0.5, 0.5) * rows
        dark = rng.uniform(0.55, 0.85)
        light = light * (dark + (1 - dark) / (1 + np.exp(-(cols - edge) / rng.uniform(0.01, 0.08))))
    grain = (
        np.asarray(
            Image.fromarray(
                (rng.normal(0.5, 0.5, (height // 3 + 1, width // 3 + 1)) * 60 + 128).clip(0, 255).astype(np.uint8)
            ).resize((width, height)),
            float,
        )
        / 255
    )
    paper = np.stack([light * (0.93 + 0.05 * (grain - 0.5))] * 3, axis=-1) * rng.uniform(0.9, 1.0, 3)
    pen = rng.uniform(0.05, 0.35, 3) if rng.random() < 0.5 else np.array([0.1, 0.15, 0.5])
    photo = paper * ink[..., None] + pen * light[..., None] * (1 - ink[..., None])
    photo = photo + rng.normal(0, 0.02, photo.shape)
    picture = Image.fromarray((photo.clip(0, 1) * 255).astype(np.uint8))
    tilt = rng.normal(0, 0.0006, 2)
    picture = picture.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        (1, 0, 0, 0, 1, 0, tilt[0], tilt[1]),
        Image.Resampling.BILINEAR,
        fillcolor=tuple(int(v) for v in paper[0, 0] * 255),
    )
    return picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))


def sample_photographs():
    """The photograph-like sample images shipped with matplotlib, as RGB PIL images."""
    pictures = [Image.open(SAMPLES / "grace_hopper.jpg").convert("RGB")]
    for name in ("Minduka_Present_Blue_Pack.png", "logo2.png"):
        rgba = Image.open(SAMPLES / name).convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        pictures.append(Image.alpha_composite(background, rgba).convert("RGB"))
    import gzip

    mri = np.frombuffer(gzip.open(SAMPLES / "s1045.ima.gz").read(), np.uint16).reshape(256, 256).astype(float)
    pictures.append(Image.fromarray((mri / mri.max() * 255).astype(np.uint8)).convert("RGB"))
    for name, key in (("jacksboro_fault_dem.npz", "elevation"), ("topobathy.npz", "topo")):
        relief = np.load(SAMPLES / name)[key].astype(float)
        relief = (relief - relief.min()) / np.ptp(relief)
        shade = matplotlib.colors.LightSource(315, 45).shade(relief, plt.get_cmap("gist_earth"), blend_mode="soft")
        pictures.append(
            Image.fromarray((shade[..., :3] * 255).astype(np.uint8)).resize((relief.shape[1] * 2, relief.shape[0] * 2))
        )
    return pictures


def rendered_scenes(rng, count):
    """Matplotlib renderings: charts, a shaded 3-D surface, an image with a colour map."""
    scenes = []
    for k in range(count):
        figure = plt.figure(figsize=(3, 3), dpi=int(rng.integers(50, 90)))
        kind = k % 4
        if kind == 0:
            axes = figure.add_subplot(projection="3d")
            x, y = np.meshgrid(np.linspace(-3, 3, 40), np.linspace(-3, 3, 40))
            axes.plot_surface(
                x, y, np.sin(x * rng.uniform(0.5, 2)) * np.cos(y), cmap=rng.choice(["viridis", "coolwarm"])
            )
        elif kind == 1:
            axes = figure.add_subplot()
            axes.bar(range(6), rng.uniform(1, 5, 6), color=plt.get_cmap("tab10")(range(6)))
            axes.set_title("sales")
        elif kind == 2:
            axes = figure.add_subplot()
            axes.imshow(np.cumsum(np.cumsum(rng.normal(size=(60, 60)), 0), 1), cmap=rng.choice(["magma", "terrain"]))
            axes.axis("off")
        else:
            axes = figure.add_subplot()
            t = np.linspace(0, 10, 200)
            for _ in range(3):
                axes.plot(t, np.sin(t * rng.uniform(0.5, 2)) + rng.normal(0, 0.1, 200))
            axes.grid(True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        scenes.append(Image.open(buffer).convert("RGB"))
    return scenes


def crop(picture, rng):
    """A random crop of ``picture`` (a tenth to all of its shorter side), resized to 64–256 pixels."""
    width, height = picture.size
    side = int(min(width, height) * rng.uniform(0.1, 1.0))
    left, top = int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1))
    out = int(rng.integers(64, 257))
    return picture.crop((left, top, left + side, top + side)).resize((out, out), Image.Resampling.LANCZOS)


def text_screenshot(rng, fonts):
    words = ["the", "quick", "brown", "fox", "network", "digit", "learns", "weights", "hello", "world", "data"]
    line = " ".join(rng.choice(words, int(rng.integers(2, 6))))
    font = ImageFont.truetype(str(fonts[rng.integers(len(fonts))]), int(rng.integers(12, 30)))
    box = font.getbbox(line)
    picture = Image.new("RGB", (box[2] + 20, (box[3] + 8) * int(rng.integers(1, 4)) + 10), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    for row in range(picture.height // (box[3] + 8)):
        draw.text((10, 5 + row * (box[3] + 8)), " ".join(rng.choice(words, 4)), font=font, fill=(20, 20, 20))
    return picture


def save(picture, path, jpeg_share, rng):
    """PNG, or JPEG at a random quality for a share ``jpeg_share`` of the opaque pictures."""
    if picture.mode != "RGBA" and rng.random() < jpeg_share:
        picture.convert("RGB").save(path.with_suffix(".jpg"), quality=int(rng.integers(50, 95)))
    else:
        picture.save(path.with_suffix(".png"), optimize=True)


def main():
    rng = np.random.default_rng(SEED)
    text_fonts = [f for f in DIGIT_FONTS if "cm" not in f.name[:2]]
    for folder in ("digits", "non_digits"):
        (TARGET / folder).mkdir(parents=True, exist_ok=True)
        for old in (TARGET / folder).glob("*.*"):
            old.unlink()
    digits, non_digits = TARGET / "digits", TARGET / "non_digits"
    for digit, styles in SKELETONS.items():
        for k in range(12):
            strokes = styles[k % 2]
            save(mouse_picture(strokes, rng), digits / f"{digit}-mouse-{k}", 0.2, rng)
        for k in range(8):
            save(font_picture(digit, rng, DIGIT_FONTS), digits / f"{digit}-font-{k}", 0.3, rng)
        for k in range(8):
            handwritten = mouse_picture(styles[k % 2], rng, rgba_share=0)
            if np.asarray(handwritten)[0, 0] < 128:
                handwritten = Image.eval(handwritten, lambda v: 255 - v)
            save(photographed(handwritten, rng), digits / f"{digit}-paper-{k}", 0.9, rng)
    photos = sample_photographs() + rendered_scenes(rng, 8)
    for k in range(160):
        source = photos[k % len(photos)]
        picture = source.resize((min(source.width, 256), min(source.height, 256))) if k % 8 == 0 else crop(source, rng)
        save(picture, non_digits / f"photo-{k}", 0.8, rng)
    for k in range(20):
        save(text_screenshot(rng, text_fonts), non_digits / f"text-screenshot-{k}", 0.3, rng)
    for k, letter in enumerate(LETTERS * 3):
        save(font_picture(letter, rng, text_fonts), non_digits / f"letter-{letter}-{k}", 0.2, rng)
    for name, strokes in MARKS.items():
        for k in range(6):
            if name == "scribble":
                strokes = [rng.uniform(0, 1, (int(rng.integers(6, 14)), 2))]
            elif name == "dot":
                strokes = [[(0.5, 0.5), (0.5 + rng.normal(0, 0.002), 0.5 + rng.normal(0, 0.002))]]
            smooth = name in ("smiley", "spiral", "scribble", "dot")
            save(mouse_picture(strokes, rng, smooth=smooth), non_digits / f"mark-{name}-{k}", 0.2, rng)
    counts = {folder: len(list((TARGET / folder).glob("*.*"))) for folder in ("digits", "non_digits")}
    print(counts)


if __name__ == "__main__":
    main()
