"""The evidence pack: the time to build one of 40 pages, and the time Pact takes to put its parts
together next to qpdf merging the same parts on the command line (goal: at most twice qpdf,
and the whole build under 6 s); then packs of 200 and 800 pages, with how much the process's
memory grew while building each (goal: flat in the page count: parts are merged into a file,
not held as pages).

Each pack is built for a case made here, in a transaction rolled back at the end, with its
files in a temporary folder: nothing stays in the database. Prints figures; asserts nothing.
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pact-bench-media-")

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from cases import services as case_services  # noqa: E402
from orders import services  # noqa: E402
from orders.pack import pack_assemble, pack_build, pack_parts  # noqa: E402
from tests.orders.conftest import complete_evidence, escalated_world  # noqa: E402

SIZES = (40, 200, 800)
RUNS = 5
STATEMENT_PAGES = 40  # a long witness statement; bigger exhibits come as several, every
# other one scanned


def statement(pages: int, n: int, *, scanned: bool) -> bytes:
    """A witness statement: typed (45 lines of text a page), or scanned (each page an A4 image
    at 150 dpi, as a scanner makes it)."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    line = (f"Statement {n}. On the morning in question the parent arrived at the school office "
            "and ")
    scan = scanned_page(n) if scanned else b""
    for page_number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        if scanned:
            image = pdf.make_stream(scan, Type=pikepdf.Name.XObject,
                                    Subtype=pikepdf.Name.Image, Width=1240, Height=1754,
                                    ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                    Filter=pikepdf.Name.DCTDecode)
            page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=image))
            page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q")
            continue
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        text = "".join(f"1 0 0 1 56 {790 - 16 * row} Tm ({line}{page_number}.{row}) Tj "
                       for row in range(45))
        page.obj.Contents = pdf.make_stream(f"BT /F1 10 Tf {text}ET".encode())
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def scanned_page(n: int) -> bytes:
    """A grey A4 page of handwriting-like strokes, as JPEG."""
    image = Image.new("L", (1240, 1754), 245)
    draw = ImageDraw.Draw(image)
    for row in range(60, 1700, 38):
        for column in range(80, 1160, 14):
            if (row * 7 + column * 13 + n) % 11:
                draw.line((column, row, column + 10, row + (column + n) % 9), fill=40, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """The most the process's resident memory grows above where it stood at the start."""

    def __enter__(self):
        self.start = self.peak = rss_kb()
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self):
        while self.running:
            self.peak = max(self.peak, rss_kb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.grew_mb = (self.peak - self.start) / 1024
        self.peak_mb = self.peak / 1024


def case_of(pages: int):
    """A case with the escalated contract, its letters, a final warning, an exhibit of each
    kind, and witness statements enough for a pack of about `pages` pages."""
    world = escalated_world()
    case = services.order_open_from_contract(actor=world.officer, contract=world.contract)
    services.order_start_review(actor=world.officer, case=case)
    services.order_final_warning(actor=world.officer, case=case, summary="Exclusions, breaches",
                                 reply_by=timezone.localdate() + timedelta(days=10),
                                 method="post")
    complete_evidence(world)
    pack = services.order_pack_request(actor=world.officer, case=case)
    with tempfile.TemporaryDirectory() as work:
        base = sum(p.pages for p in pack_parts(pack, Path(work))[0])
    missing, n = max(pages - base, 0), 0
    while missing:
        n += 1
        size = min(missing, STATEMENT_PAGES)
        case_services.document_upload(
            actor=world.lead, pupil=world.pupil, title=f"Statement {n}",
            category="witness_statement",
            upload=SimpleUploadedFile(f"statement-{n}.pdf",
                                      statement(size, n, scanned=n % 2 == 0)))
        missing -= size
    return world, case, pack


def measure(pages: int) -> None:
    with transaction.atomic():
        world, case, pack = case_of(pages)
        if pages == SIZES[0]:
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                parts, _ = pack_parts(pack, work)
                paths = [str(p.path) for p in parts if p.pages]
                qpdf, ours = [], []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    subprocess.run(["qpdf", "--empty", "--pages", *paths, "--",
                                    str(work / "qpdf.pdf")], check=True)
                    qpdf.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    assembled = pack_assemble(pack, parts, work)
                    ours.append(time.perf_counter() - started)
            print(f"{assembled.page_count} pages in {len(paths)} parts: qpdf merging them "
                  f"{1000 * statistics.median(qpdf):.0f} ms; Pact putting them together "
                  f"(merge, disarm exhibits, link the index, stamp, bookmarks, save) "
                  f"{1000 * statistics.median(ours):.0f} ms, "
                  f"{statistics.median(ours) / statistics.median(qpdf):.1f}x qpdf "
                  "(goal: at most 2x)")
        runs = RUNS if pages == SIZES[0] else 1
        timings, grew, peak = [], [], []
        for _ in range(runs):
            with PeakMemory() as memory:
                started = time.perf_counter()
                pack_build(pack_id=pack.pk)
                timings.append(time.perf_counter() - started)
            grew.append(memory.grew_mb)
            peak.append(memory.peak_mb)
            pack.refresh_from_db()
            built = pack.built
            pack = services.order_pack_request(actor=world.officer, case=case)
        print(f"{built.page_count}-page pack, {built.size / 1024 / 1024:.1f} MB: built in "
              f"{statistics.median(timings):.2f} s (median of {runs}; goal: under 6 s), "
              f"memory grew {max(grew):.0f} MB while building, to {max(peak):.0f} MB "
              "(goal: flat in pages)")
        transaction.set_rollback(True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pages":
        measure(int(sys.argv[2]))
    else:
        # Each size in a process of its own, so one's memory does not hide another's.
        for size in SIZES:
            subprocess.run([sys.executable, __file__, "--pages", str(size)], check=True)
