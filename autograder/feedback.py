"""The feedback page a student gets: nbconvert's HTML exporter with the course's own template.

The page (autograder/templates/feedback/) opens with a table of the questions, each named
by the function it grades, with its points and the hint for a lost point, "passed", or, for
a written answer, "to be graded by hand" (autograder/preprocessors/feedbackquestions.py);
then the notebook, each graded cell under the same heading. It is one self-contained file:
its style is inline, its images are data URLs, and its math is rendered ahead, to MathML
(`math_html`), so it needs no script and no network. Its Content-Security-Policy, first in
its head, allows neither: FEEDBACK_CSP.
"""
import functools
import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from jinja2 import BytecodeCache, pass_context
from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import clean_html
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

TEMPLATES = Path(__file__).resolve().parent / "templates"
IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)", re.IGNORECASE)
NO_ALT_TEXT = '<img alt="No description has been provided for this image"'
FEEDBACK_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CSP_META = f'<head>\n<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_CSP}">'

MATHML = "http://www.w3.org/1998/Math/MathML"
# The MathML that math_html keeps: presentation elements and their layout attributes; no
# link, no style, no event handler. What latex2mathml writes for \href or \style is dropped.
MATHML_ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot",
                   "msub", "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd",
                   "mstyle", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts",
                   "none", "semantics", "annotation"}
MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
                     "lspace", "rspace", "minsize", "maxsize", "movablelimits", "largeop", "symmetric",
                     "linethickness", "width", "height", "depth", "columnalign", "rowalign", "columnspacing",
                     "rowspacing", "columnlines", "rowlines", "frame", "displaystyle", "scriptlevel",
                     "notation", "form", "encoding"}


def math_html(tex, display=False):
    """The TeX math `tex` as MathML for an HTML page (display: a block of its own), keeping only
    MATHML_ELEMENTS and MATHML_ATTRIBUTES; TeX that does not convert is shown as written."""
    try:
        tree = ElementTree.fromstring(convert(tex, display="block" if display else "inline"))
    except Exception:  # latex2mathml's own errors and what it writes that is not XML
        shown = html.escape(f"$${tex}$$" if display else f"${tex}$")
        return f'<code class="tex">{shown}</code>'
    return ElementTree.tostring(_kept(tree), encoding="unicode", short_empty_elements=False)


def _kept(element):
    """A copy of a MathML element with only the allowed elements (others become their text)
    and attributes."""
    name = element.tag.removeprefix(f"{{{MATHML}}}")
    if name not in MATHML_ELEMENTS:
        text = ElementTree.Element("mtext")
        text.text, text.tail = "".join(element.itertext()), element.tail
        return text
    kept = ElementTree.Element(name, {k: v for k, v in element.attrib.items() if k in MATHML_ATTRIBUTES})
    if name == "math":
        kept.set("xmlns", MATHML)
    kept.text, kept.tail = element.text, element.tail
    kept.extend(_kept(child) for child in element)
    return kept


# nbconvert's clean_html (bleach), remembered: the template cleans every code cell's highlighted
# source, and most of a notebook's code cells are the master's, the same in every submission.
remembered_clean_html = functools.lru_cache(maxsize=4096)(clean_html)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math rendered to MathML (math_html)."""

    def block_math(self, body):
        return math_html(body, display=True)

    def inline_math(self, body):
        return math_html(body)

    def latex_environment(self, name, body):
        return math_html(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


class CompiledTemplates(BytecodeCache):
    """Jinja templates compiled once per worker process rather than once per exporter."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        bucket.code = self.code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket):
        self.code[bucket.key, bucket.checksum] = bucket.code


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter with the course's feedback template (whatever nbgrader
    configures for HTMLExporter), math rendered to MathML, its compiled templates shared with
    the exporters that nbgrader's generate_feedback creates for the worker's later submissions,
    and without its BeautifulSoup pass over the finished page, which takes a third of the
    export. That pass gives images without alt text a placeholder (done here by
    IMAGE_WITHOUT_ALT). The page carries a Content-Security-Policy, first in its head: FEEDBACK_CSP."""

    compiled = CompiledTemplates()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_name, self.extra_template_basedirs, self.extra_template_paths = "feedback", [str(TEMPLATES)], []
        self.template_paths = self._template_paths()  # the exporter's start-up found nbgrader's, configured by it
        self.exclude_input_prompt = self.exclude_output_prompt = True

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = self.compiled
        return environment

    @pass_context
    def markdown2html(self, context, source):
        """nbconvert's markdown2html filter (HTMLExporter.markdown2html), with MathMLRenderer."""
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}), path=path,
                                  embed_images=self.embed_images, anchor_link_text=self.anchor_link_text,
                                  exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)

    def default_filters(self):
        yield from super().default_filters()
        yield ("math_html", math_html)
        yield ("clean_html", remembered_clean_html)

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        html_page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return IMAGE_WITHOUT_ALT.sub(NO_ALT_TEXT, html_page.replace("<head>", CSP_META, 1)), resources
