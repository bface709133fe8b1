"""Photos are stored upright, without private metadata, with renditions in WebP and JPEG (acceptance 1 and 3)."""

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageOps

from events.media.photos import RENDITION_SPECS, process_photo_file
from events.media.services import attachments_upload
from events.models import Attachment
from tests.events.media_samples import EXIF_IFD, GPS_IFD, camera_jpeg, marked_photo, plain_jpeg, transparent_png
from tests.factories import EventFactory, PhotoFactory

pytestmark = pytest.mark.django_db


def stored_bytes(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def every_public_file(photo):
    names = [photo.file.name]
    for size in RENDITION_SPECS:
        names += [photo.renditions[size]["webp"], photo.renditions[size]["jpeg"]]
    return names


def metadata_left(data):
    """EXIF tags other than Orientation, and any IPTC or XMP block, left in a stored file."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        tags = set(exif) - {0x0112}
        ifds = exif.get_ifd(GPS_IFD) or exif.get_ifd(EXIF_IFD)
        blocks = [key for key in ("photoshop", "xmp", "XML:com.adobe.xmp", "comment") if image.info.get(key)]
    return tags, ifds, blocks


def is_red(pixel):
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def upload_one(data, name="IMG_0001.JPG", **kwargs):
    event = EventFactory()
    [photo] = attachments_upload(event=event, files=[SimpleUploadedFile(name, data)], **kwargs)
    return photo


def test_rotated_camera_photo_is_stored_and_rendered_upright():
    photo = upload_one(camera_jpeg(orientation=6))

    # The camera stored 300x200 pixels and asked for a quarter turn clockwise: the reader sees 200x300,
    # and the red block from the stored top-left corner ends up top-right.
    assert (photo.width, photo.height) == (200, 300)
    for size in ("thumb", "medium", "large"):
        entry = photo.renditions[size]
        assert (entry["width"], entry["height"]) == (200, 300)
        for key in ("jpeg", "webp"):
            with Image.open(io.BytesIO(stored_bytes(entry[key]))) as image:
                assert image.size == (200, 300)
                rgb = image.convert("RGB")
                assert is_red(rgb.getpixel((190, 10)))
                assert not is_red(rgb.getpixel((10, 10)))
    # The master is the camera's pixels unchanged (a lossless copy) with only the Orientation left in its EXIF,
    # so any viewer shows it upright too.
    with Image.open(io.BytesIO(stored_bytes(photo.file.name))) as stored:
        assert stored.size == (300, 200)
        assert dict(stored.getexif()) == {0x0112: 6}
        upright = ImageOps.exif_transpose(stored).convert("RGB")
        assert upright.size == (200, 300)
        assert is_red(upright.getpixel((190, 10)))


def test_no_gps_serial_or_other_exif_in_anything_stored_for_the_public():
    photo = upload_one(camera_jpeg(gps=True))

    for name in every_public_file(photo):
        data = stored_bytes(name)
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            assert GPS_IFD not in exif, name
            assert exif.get_ifd(GPS_IFD) == {}, name
            assert exif.get_ifd(EXIF_IFD) == {}, name
        assert b"SERIAL-1234567" not in data, name
        assert metadata_left(data) == (set(), {}, []), name
        if name != photo.file.name:
            assert b"Exif\x00\x00" not in data, name  # renditions carry no EXIF at all (they are upright)
        assert b"Photoshop 3.0" not in data, name


def test_caption_credit_title_and_date_come_from_iptc_when_staff_left_them_empty():
    iptc = {
        (2, 5): "Summit opening",
        (2, 120): "Heads of delegation before the plenary session",
        (2, 80): "Maria Bildova",
        (2, 116): "© CSO Press Service",
        (2, 55): "20260314",
        (2, 60): "103000+0300",
    }
    photo = upload_one(camera_jpeg(exif_text=True, iptc=iptc))

    assert photo.caption == "Heads of delegation before the plenary session"
    assert photo.credit == "Maria Bildova / © CSO Press Service"
    assert photo.title == "Summit opening"
    assert photo.taken_at == datetime(2026, 3, 14, 7, 30, tzinfo=UTC)


def test_caption_and_credit_fall_back_to_exif_fields():
    photo = upload_one(camera_jpeg(exif_text=True, iptc=None))

    assert photo.caption == "Delegations arrive at the Secretariat"
    assert photo.credit == "Ivan Fotografov / CSO Press Service"
    assert photo.taken_at is not None
    assert photo.taken_at.replace(tzinfo=None) == datetime(2026, 3, 14, 10, 30)


def test_what_staff_typed_wins_over_the_photo_metadata():
    photo = upload_one(camera_jpeg(iptc={(2, 120): "From the camera"}), caption="Typed by staff", credit="Staff")

    assert photo.caption == "Typed by staff"
    assert photo.credit == "Staff"


def test_transparent_png_keeps_alpha_in_webp_and_is_flattened_onto_white_in_jpeg():
    photo = upload_one(transparent_png(), name="logo.png")

    assert photo.file.name.endswith(".png")
    for size in ("thumb", "medium", "large"):
        entry = photo.renditions[size]
        with Image.open(io.BytesIO(stored_bytes(entry["webp"]))) as webp:
            assert webp.format == "WEBP"
            rgba = webp.convert("RGBA")
            assert rgba.getpixel((10, 50))[3] == 0  # transparent stays transparent
            red, green, blue, alpha = rgba.getpixel((entry["width"] - 10, 50))
            assert alpha == 255 and green > 130 and red < 40 and blue < 40
        with Image.open(io.BytesIO(stored_bytes(entry["jpeg"]))) as jpeg:
            assert jpeg.format == "JPEG" and jpeg.mode == "RGB"
            assert min(jpeg.getpixel((10, 50))) > 245  # white, not black
            red, green, blue = jpeg.getpixel((entry["width"] - 10, 50))
            assert green > 130 and red < 40 and blue < 40


def test_renditions_have_the_configured_sizes_and_are_never_enlarged():
    photo = upload_one(plain_jpeg(2400, 1600))

    sizes = {
        size: (entry["width"], entry["height"]) for size, entry in photo.renditions.items() if size in RENDITION_SPECS
    }
    assert sizes == {"thumb": (480, 320), "medium": (960, 640), "large": (1920, 1280), "social": (1200, 630)}
    small = upload_one(plain_jpeg(400, 300))
    assert (small.renditions["large"]["width"], small.renditions["large"]["height"]) == (400, 300)


def test_original_is_kept_byte_for_byte_only_when_the_office_serves_originals(settings):
    settings.CSO_SERVE_ORIGINAL_PHOTOS = True
    original = camera_jpeg(gps=True)
    photo = upload_one(original)

    assert stored_bytes(photo.file.name) == original
    assert photo.renditions["file_is_clean"] is False
    assert (photo.width, photo.height) == (200, 300)
    for size in RENDITION_SPECS:
        assert b"Exif\x00\x00" not in stored_bytes(photo.renditions[size]["jpeg"])


def test_photos_saved_directly_through_the_model_are_cleaned_too():
    photo = PhotoFactory(file=ContentFile(camera_jpeg(gps=True), name="DSC_0001.JPG"), caption="", credit="")

    assert photo.original_name == "DSC_0001.JPG"
    assert photo.renditions["file_is_clean"] is True
    assert metadata_left(stored_bytes(photo.file.name)) == (set(), {}, [])
    assert b"SERIAL-1234567" not in stored_bytes(photo.file.name)
    assert photo.caption == "Delegations arrive at the Secretariat"
    assert Attachment.objects.get(pk=photo.pk).sha256 == photo.sha256 != ""


# The master of a JPEG is a lossless copy (events.media.imaging.clean_jpeg): same pixels, no private metadata.


def xmp_camera_jpeg(**kwargs):
    """``camera_jpeg`` with an XMP block carrying the position too, and an embedded preview after the image."""
    data = camera_jpeg(**kwargs)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + b'<x:xmpmeta><rdf:Description exif:GPSLatitude="55,45N"/></x:xmpmeta>'
    segment = b"\xff\xe1" + len(xmp + b"..").to_bytes(2, "big") + xmp
    preview = camera_jpeg(orientation=1)  # cameras append previews (with their own EXIF) after the end marker
    return data[:2] + segment + data[2:] + preview


def process(data, tmp_path, name="IMG_0001.JPG", keep_original=False):
    storage = FileSystemStorage(location=tmp_path)
    result = process_photo_file(
        io.BytesIO(data), original_name=name, storage=storage, stem="photo", keep_original=keep_original
    )
    return result, storage


def same_pixels(first, second):
    with Image.open(io.BytesIO(first)) as one, Image.open(io.BytesIO(second)) as two:
        return one.mode == two.mode and one.size == two.size and one.tobytes() == two.tobytes()


def test_lossless_master_has_the_cameras_pixels_and_no_gps_iptc_xmp_or_preview(tmp_path):
    iptc = {(2, 120): "Delegations arrive", (2, 80): "Ivan Fotografov"}
    original = xmp_camera_jpeg(orientation=6, gps=True, iptc=iptc)

    result, _storage = process(original, tmp_path)

    master = result.master
    assert (result.master_extension, result.content_type) == (".jpg", "image/jpeg")
    assert (result.width, result.height) == (200, 300)  # upright size
    assert same_pixels(master, original)
    assert metadata_left(master) == (set(), {}, [])
    for private in (b"SERIAL-1234567", b"GPSLatitude", b"Photoshop 3.0", b"Ivan Fotografov", b"EOS R5"):
        assert private not in master
    assert master.count(b"\xff\xd8") == 1  # the preview after the end of the image is gone
    with Image.open(io.BytesIO(master)) as stored:
        assert dict(stored.getexif()) == {0x0112: 6}
        upright = ImageOps.exif_transpose(stored).convert("RGB")
        assert upright.size == (200, 300)
        assert is_red(upright.getpixel((190, 10)))


def test_lossless_master_of_a_progressive_jpeg_with_an_icc_profile(tmp_path):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = marked_photo(640, 480)
    exif = image.getexif()
    exif[GPS_IFD] = {1: "N", 2: (55.0, 45.0, 21.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, progressive=True, exif=exif.tobytes(), icc_profile=icc)
    original = buffer.getvalue()

    result, _storage = process(original, tmp_path)

    assert same_pixels(result.master, original)
    assert metadata_left(result.master) == (set(), {}, [])
    assert b"Exif\x00\x00" not in result.master  # orientation 1: no EXIF needed at all
    with Image.open(io.BytesIO(result.master)) as stored:
        assert stored.info.get("progressive") or stored.info.get("progression")
        assert stored.info["icc_profile"] == icc
    assert result.icc == icc


def test_lossless_master_of_a_cmyk_jpeg_keeps_its_colours(tmp_path):
    image = Image.new("CMYK", (400, 300), (0, 255, 255, 0))  # red in print colours
    exif = image.getexif()
    exif[GPS_IFD] = {1: "N", 2: (55.0, 45.0, 21.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    original = buffer.getvalue()

    result, storage = process(original, tmp_path)

    assert same_pixels(result.master, original)
    assert metadata_left(result.master) == (set(), {}, [])
    with storage.open(result.renditions["thumb"]["jpeg"]) as handle, Image.open(handle) as thumb:
        assert is_red(thumb.convert("RGB").getpixel((10, 10)))


def test_jpeg_with_a_broken_exif_block_is_processed_and_the_block_dropped(tmp_path):
    broken = b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff" + b"\x13" * 40 + b"GPS-SECRET"
    good = plain_jpeg()
    original = good[:2] + b"\xff\xe1" + (len(broken) + 2).to_bytes(2, "big") + broken + good[2:]

    result, _storage = process(original, tmp_path)

    assert same_pixels(result.master, original)
    assert b"GPS-SECRET" not in result.master
    assert b"Exif\x00\x00" not in result.master
    assert (result.width, result.height) == (640, 480)


def test_large_jpeg_renditions_come_at_their_exact_sizes_from_a_reduced_decode(tmp_path):
    original = plain_jpeg(4000, 2400)

    result, storage = process(original, tmp_path)

    expected = {"thumb": (480, 288), "medium": (960, 576), "large": (1920, 1152), "social": (1200, 630)}
    for size, (width, height) in expected.items():
        entry = result.renditions[size]
        assert (entry["width"], entry["height"]) == (width, height)
        for key in ("jpeg", "webp"):
            with storage.open(entry[key]) as handle, Image.open(handle) as image:
                assert image.size == (width, height)
                if size != "social":  # the light square drawn at a quarter to a half of the picture is there
                    rgb = image.convert("RGB")
                    assert all(abs(channel - 238) < 8 for channel in rgb.getpixel((3 * width // 8, 3 * height // 8)))
                    assert all(abs(a - b) < 8 for a, b in zip(rgb.getpixel((5, 5)), (58, 110, 165), strict=True))
    assert (result.width, result.height) == (4000, 2400)
    assert same_pixels(result.master, original)


def test_truncated_large_jpeg_is_still_refused_with_the_reduced_decode(tmp_path):
    original = plain_jpeg(4000, 2400)

    with pytest.raises(ValidationError) as refused:
        process(original[: len(original) * 2 // 3], tmp_path, name="cut.jpg")

    assert "cut.jpg" in refused.value.messages[0]
    assert not list(tmp_path.rglob("*.*"))  # no rendition left behind


def test_kept_original_gives_no_master_but_every_rendition(tmp_path):
    result, _storage = process(camera_jpeg(orientation=6), tmp_path, keep_original=True)

    assert result.master is None
    assert (result.master_extension, result.content_type) == (".jpg", "image/jpeg")
    assert set(result.renditions) == set(RENDITION_SPECS)
