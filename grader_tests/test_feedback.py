"""The feedback page's parts that need no grading: its math, rendered ahead to MathML, and the
grader's paths, shortened. The page itself is tested in Chromium (test_pages.py)."""
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest

from autograder.feedback import MATHML_ATTRIBUTES, MATHML_ELEMENTS, math_html
from autograder.preprocessors.hidegraderpaths import without_grader_paths
from conftest import ROOT


class Markup(HTMLParser):
    """The tags and attribute names of an HTML fragment, as a browser's parser finds them."""

    def __init__(self, fragment):
        super().__init__()
        self.tags, self.attributes = set(), set()
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


def elements(mathml):
    return {e.tag.split("}")[-1] for e in ElementTree.fromstring(mathml).iter()}


def test_math_becomes_mathml():
    shown = math_html(r"\sigma(z) = \frac{1}{1 + e^{-z}}")
    assert shown.startswith('<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML">')
    assert {"mfrac", "msup", "mi", "mn", "mo"} <= elements(shown)
    assert "σ" in shown and "\\" not in shown
    assert 'display="block"' in math_html(r"\hat{y} = W^{[2]} a^{[1]}", display=True)


@pytest.mark.parametrize("tex", [r"\href{javascript:alert(1)}{x}", r"\style{background:url(x)}{x}",
                                 r"\text{<script>alert(1)</script>}", r"\text{<img src=x onerror=alert(1)>}",
                                 r"\text{<a href='javascript:alert(1)'>x</a>}"])
def test_math_keeps_no_link_style_or_markup_of_its_own(tex):
    markup = Markup(math_html(tex))
    assert markup.tags <= MATHML_ELEMENTS | {"code"}
    assert markup.attributes <= MATHML_ATTRIBUTES | {"xmlns", "class"}


def test_math_that_does_not_convert_is_shown_as_written():
    assert math_html(r"\frac{1}{") == r'<code class="tex">$\frac{1}{$</code>'
    assert math_html(r"\text{<b}") == r'<code class="tex">$\text{&lt;b}$</code>'


def test_shortening_paths_finishes_on_any_output():
    """Outputs a student could print to make a pattern with nested repetition backtrack for ever
    (2**64 steps): each is shortened in one pass."""
    code = ("from autograder.preprocessors.hidegraderpaths import without_grader_paths as short\n"
            "for tail in ['/a' * 64 + ' ', '/tmp' + '/a' * 64 + ':', '/' * 10**5 + 'x']:\n"
            "    assert short(tail) is not None\n")
    finished = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr


def test_the_grader_s_paths_are_shortened():
    site_packages = next(p for p in sys.path if p.endswith("site-packages"))
    text = (f"/tmp/ipykernel_7/3550512947.py:2: RuntimeWarning: overflow encountered in exp\n"
            f"File {site_packages}/numpy/linalg/_linalg.py:104, in _raise_linalgerror_singular\n"
            f"/tmp/backprop-grade-x1y2/course/autograded/bea/01_sigmoid/01_sigmoid.ipynb\n"
            f"{ROOT}/workbook_tools/checks/asserts.py and {sys.prefix}/bin/python\n"
            f"/tmp and /tmpfile/x stay, and so does /home/bea/notes.txt")
    assert without_grader_paths(text) == (
        "cell:2: RuntimeWarning: overflow encountered in exp\n"
        "File numpy/linalg/_linalg.py:104, in _raise_linalgerror_singular\n"
        "01_sigmoid.ipynb\n"
        "asserts.py and python\n"
        "/tmp and /tmpfile/x stay, and so does /home/bea/notes.txt")
