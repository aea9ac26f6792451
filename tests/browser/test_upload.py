"""Drag-and-drop upload with a progress bar per file, in the composer and the media library,
and video tiles that show a frame of the video rather than a bare ▶."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from connections.models import ConnectedAccount
from publishing.models import Media, Post
from publishing.sample_media import image_bytes, mp4_bytes
from tests.browser.test_exports import decline_cookies
from tests.factories import PASSWORD, MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORANGE = (240, 120, 20)
# A real 1.5 s WebM of one orange picture, recorded by the browser itself (the machine has no
# video encoder): what a phone or camera would give, which the browser can decode.
RECORD_CLIP = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 240;
  const paint = canvas.getContext("2d");
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: "video/webm;codecs=vp8"});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const frames = setInterval(() => {
    paint.fillStyle = "rgb(240,120,20)"; paint.fillRect(0, 0, 320, 240);
  }, 40);
  recorder.start();
  await new Promise((r) => setTimeout(r, 1500));
  recorder.stop();
  await new Promise((r) => (recorder.onstop = r));
  clearInterval(frames);
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""
# Drop files on the drop zone as a person dragging them from their desktop would.
DROP = """([selector, files]) => {
  const data = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
    data.items.add(new File([bytes], f.name, {type: f.type}));
  }
  const zone = document.querySelector(selector);
  const fire = (type) => zone.dispatchEvent(
    new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
  fire("dragenter");
  fire("dragover");
  const highlighted = zone.classList.contains("is-dragover");
  fire("drop");
  return highlighted;
}"""
# Every value the progress bars take, to see the upload advance.
WATCH_PROGRESS = """() => {
  window.__progress = [];
  new MutationObserver((changes) => changes.forEach((c) => {
    if (c.target.tagName === "PROGRESS") window.__progress.push(c.target.value);
  })).observe(document.body, {subtree: true, attributes: true, attributeFilter: ["value"]});
}"""


def file_for_drop(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "type": mime, "b64": base64.b64encode(content).decode()}


def pixel_of(locator, x: float = 0.8, y: float = 0.3) -> tuple[int, int, int]:
    """The colour the person sees at a point of an element (away from the ▶ in its middle)."""
    with Image.open(io.BytesIO(locator.screenshot())) as shot:
        return shot.convert("RGB").getpixel((int(shot.width * x), int(shot.height * y)))


def assert_orange(color: tuple[int, int, int]) -> None:
    assert all(abs(c - o) < 24 for c, o in zip(color, ORANGE, strict=True)), color


@pytest.fixture
def editor_page(app, new_page):
    workspace = WorkspaceFactory(name="Studio", slug="studio", timezone="Europe/London")
    editor = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    ConnectedAccount.objects.create(
        workspace=workspace, platform="x", external_id="1", display_name="Studio on X"
    )

    def open_page(width: int = 1280, height: int = 860):
        page = new_page(width, height)
        page.goto(f"{app}/accounts/login/")
        decline_cookies(page)
        page.get_by_label("Email").fill(editor.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Sign In|Sign in|Log in")).click()
        expect(page.locator("main")).to_be_visible()
        return page

    return open_page, workspace


def test_files_dropped_on_the_composer_upload_with_progress_and_join_the_post(
    editor_page, app, shot
):
    open_page, workspace = editor_page
    page = open_page()
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    text = page.get_by_label("What do you want to share?")
    text.fill("Autumn menu, now in video")
    page.get_by_label(re.compile("Studio on X")).first.check()
    clip = base64.b64decode(page.evaluate(RECORD_CLIP))
    page.evaluate(WATCH_PROGRESS)

    highlighted = page.evaluate(
        DROP,
        [
            ".dropzone",
            [
                file_for_drop("cover.jpg", image_bytes(size=(1200, 800)), "image/jpeg"),
                file_for_drop("menu.webm", clip, "video/webm"),
                file_for_drop("x.exe", b"MZ\x90\x00" * 64, "application/octet-stream"),
            ],
        ],
    )

    assert highlighted, "the drop zone did not show it would take the files"
    items = page.locator(".upload-item")
    expect(items).to_have_count(3)
    expect(items.filter(has_text="x.exe")).to_contain_text("“x.exe” is not an image")
    for name in ("cover.jpg", "menu.webm"):
        expect(items.filter(has_text=name)).to_contain_text("Added")
        expect(items.filter(has_text=name).locator("progress")).to_have_js_property("value", 100)
        tile = page.locator(".media-tile", has_text=name)
        expect(tile.locator("input")).to_be_checked()
    assert page.evaluate("window.__progress").count(100) >= 2
    # Nothing typed was lost, and the previews follow the new media.
    expect(text).to_have_value("Autumn menu, now in video")
    expect(page.locator("#checks")).to_contain_text("Studio on X")

    # The video's tile shows its own frame (drawn by the browser at upload), with a ▶.
    video_tile = page.locator(".media-tile", has_text="menu.webm")
    picture = video_tile.locator("img")
    expect(picture).to_be_visible()
    assert picture.evaluate("i => i.complete && i.naturalWidth") > 0
    expect(video_tile.locator(".media-thumb__play")).to_be_visible()
    assert_orange(pixel_of(video_tile.locator(".media-thumb")))
    shot(page, "1-dropped")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    post = Post.objects.get()
    assert post.text == "Autumn menu, now in video"
    assert sorted(post.attachments.values_list("media__name", flat=True)) == [
        "cover.jpg",
        "menu.webm",
    ]
    assert Media.objects.count() == 2  # each file went up once, not again with the form
    video = Media.objects.get(name="menu.webm")
    assert video.kind == "video"
    with video.thumbnail.open("rb") as handle, Image.open(handle) as still:
        assert_orange(still.convert("RGB").getpixel((still.width // 2, still.height // 2)))


def test_library_upload_on_a_phone_shows_progress_and_adds_cards(editor_page, app, shot):
    open_page, workspace = editor_page
    page = open_page(390, 844)
    page.goto(f"{app}/w/{workspace.slug}/media/")
    expect(page.get_by_text("Drop files here or choose them.")).to_be_visible()
    expect(page.get_by_role("button", name="Upload")).to_be_hidden()  # uploads start at once
    page.evaluate(WATCH_PROGRESS)
    # A slow connection, so the bar is seen advancing.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": 4 * 1024 * 1024,
        },
    )
    big = mp4_bytes(duration=12, padding=12 * 1024 * 1024)
    page.get_by_label("Add files").set_input_files(
        [
            {"name": "long-teaser.mp4", "mimeType": "video/mp4", "buffer": big},
            {"name": "notes.png", "mimeType": "image/png", "buffer": b"not really a picture"},
        ]
    )
    item = page.locator(".upload-item", has_text="long-teaser.mp4")
    expect(item.locator("progress")).to_be_visible()
    expect(item).to_contain_text("Added", timeout=60_000)
    seen = page.evaluate("window.__progress")
    assert any(0 < v < 100 for v in seen), f"no progress in between: {seen}"
    expect(page.locator(".upload-item", has_text="notes.png")).to_contain_text(
        "“notes.png” is not an image"
    )
    card = page.locator(".media-card", has_text="long-teaser.mp4")
    expect(card).to_contain_text("12 s")
    expect(card.locator(".media-thumb__play")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    shot(page, "1-library-phone")
    assert list(Media.objects.values_list("name", "size")) == [("long-teaser.mp4", len(big))]


def test_a_video_uploaded_before_frames_were_kept_shows_its_own_frame(editor_page, app, shot):
    open_page, workspace = editor_page
    page = open_page()
    clip = base64.b64decode(page.evaluate(RECORD_CLIP))
    old = Media(workspace=workspace, kind="video", content_type="video/webm", name="old.webm")
    old.size, old.duration = len(clip), 1.5
    old.file.save("upload.webm", ContentFile(clip), save=True)
    assert not old.thumbnail

    page.goto(f"{app}/w/{workspace.slug}/media/")
    card = page.locator(".media-card", has_text="old.webm")
    video = card.locator("video")
    page.wait_for_function("v => v.readyState >= 2 && v.videoWidth > 0", arg=video.element_handle())
    expect(card.locator(".media-thumb__play")).to_be_visible()
    assert_orange(pixel_of(card.locator(".media-thumb")))
    shot(page, "1-library")

    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    tile = page.locator(".media-tile", has_text="old.webm")
    page.wait_for_function(
        "v => v.readyState >= 2 && v.videoWidth > 0", arg=tile.locator("video").element_handle()
    )
    assert_orange(pixel_of(tile.locator(".media-thumb")))
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "2-composer-phone")


def test_without_javascript_the_library_form_still_uploads(editor_page, app, browser, tmp_path):
    _, workspace = editor_page
    person = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{app}/accounts/login/")
        page.get_by_label("Email").fill(person.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Sign In|Sign in|Log in")).click()
        page.goto(f"{app}/w/{workspace.slug}/media/")
        (tmp_path / "cover.jpg").write_bytes(image_bytes(size=(300, 200)))
        page.get_by_label("Add files").set_input_files(str(tmp_path / "cover.jpg"))
        page.get_by_role("button", name="Upload").click()
        expect(page.locator(".media-card", has_text="cover.jpg")).to_contain_text("300×200")
    finally:
        context.close()


def test_a_file_uploaded_in_the_composer_is_offered_to_each_accounts_own_media(editor_page, app):
    open_page, workspace = editor_page
    page = open_page()
    page.goto(f"{app}/w/{workspace.slug}/posts/new/")
    page.get_by_label("What do you want to share?").fill("Only X gets the cover")
    page.get_by_label(re.compile("Studio on X")).first.check()
    block = page.locator(".target-media")
    block.locator("xpath=ancestor::details").first.evaluate("d => d.open = true")
    block.get_by_label("Use different media here").check()
    expect(block).to_contain_text("Add files to the library first.")

    page.evaluate(DROP, [".dropzone", [file_for_drop("cover.jpg", image_bytes(), "image/jpeg")]])
    expect(page.locator(".upload-item", has_text="cover.jpg")).to_contain_text("Added")
    own = block.locator(".own-tile", has_text="cover.jpg").locator("input")
    expect(own).not_to_be_checked()  # offered, not chosen for the person
    expect(block).not_to_contain_text("Add files to the library first.")
    own.check()
    page.locator(".media-tile", has_text="cover.jpg").locator("input").uncheck()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    target = Post.objects.get().targets.get()
    assert target.own_media
    assert [a.media.name for a in target.attachments] == ["cover.jpg"]
