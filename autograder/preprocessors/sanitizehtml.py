"""Make the autograded notebook safe to show: no student-controlled script runs in a page made from it.

formgrader renders OUT/autograded/<student>/<assignment>/<assignment>.ipynb with nbconvert on a
page logged in to the Jupyter server, and the feedback pages are rendered from the same notebook.
Both print HTML outputs and markdown as they are, scripts included: nbconvert's `sanitize_html`
would clean outputs only, since nbgrader's templates render markdown cells themselves. Run this
step last in autograding, so that the notebook itself is clean and so is every page made from it:

- an output keeps its plain text, PNG, JPEG, LaTeX and JSON; its `text/html` is cleaned
  (`clean`: an allowlist of tags, attributes and URL schemes; anything else is shown as text);
  its `text/markdown` becomes cleaned HTML; everything else that a browser could run
  (`application/javascript`, `image/svg+xml`, widget views, any other type) is removed;
- an output's metadata keeps only the width and height of its images, as numbers: nbconvert's
  templates write them into the page unquoted, where any other text could add an attribute;
- a markdown cell whose rendering is not already clean is shown as text, its source in a code
  block; a clean one is left as it is, so a blank answer still matches its checksum;
- a raw cell is cleaned.
"""
import functools
import re

import bleach
from nbconvert.filters.markdown import markdown2html
from nbgrader.preprocessors import NbGraderPreprocessor

TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "s",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "u", "ul"}
HEADING_ATTRIBUTES = ["class", "title", "id"]  # markdown headings carry an id, their anchor
ATTRIBUTES = {"*": ["class", "title"], "a": ["class", "title", "href"],
              "img": ["class", "title", "src", "alt", "width", "height"],
              "td": ["class", "title", "colspan", "rowspan", "align"],
              "th": ["class", "title", "colspan", "rowspan", "align"],
              **{f"h{n}": HEADING_ATTRIBUTES for n in range(1, 7)}}
PROTOCOLS = {"http", "https", "mailto"}
SAFE_OUTPUTS = {"text/plain", "image/png", "image/jpeg", "text/latex", "application/json"}
IMAGES = {"image/png", "image/jpeg"}
SELF_CLOSING = re.compile(r" />")  # how markdown closes <img> and <br>; HTML reads them as without it


def clean(html):
    """`html` with only the allowed tags, attributes and URL schemes; anything else is escaped."""
    return bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip_comments=True)


@functools.lru_cache(maxsize=4096)  # a worker meets the master's markdown again in every submission
def shown_safely(markdown):
    """`markdown` if its rendering is clean already, else `markdown` as a code block: text."""
    rendered = SELF_CLOSING.sub(">", markdown2html(markdown))
    if clean(rendered) == rendered:
        return markdown
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", markdown)), default=0))
    return f"{fence}\n{markdown}\n{fence}"


class SanitizeStudentHTML(NbGraderPreprocessor):
    """Clean every output and markdown or raw cell that a student could have written."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = shown_safely(cell.source)
        elif cell.cell_type == "raw":
            cell.source = clean(cell.source)
        elif cell.cell_type == "code":
            for output in cell.outputs:
                if "data" in output:
                    output.data = self.safe_data(output.data, index)
                if "metadata" in output:
                    output.metadata = safe_metadata(output.metadata)
        return cell, resources

    def safe_data(self, data, index):
        """An output's data with its HTML cleaned and every type that could run script removed."""
        safe = {key: value for key, value in data.items() if key in SAFE_OUTPUTS}
        if "text/html" in data or "text/markdown" in data:
            safe["text/html"] = clean(data["text/html"] if "text/html" in data
                                      else markdown2html(data["text/markdown"]))
        removed = sorted(set(data) - set(safe) - {"text/markdown"})
        if removed:
            self.log.warning("Cell %d: removed output of type %s", index, ", ".join(removed))
            if not safe:
                safe["text/plain"] = f"(not shown: output of type {', '.join(removed)})"
        return safe


def safe_metadata(metadata):
    """An output's metadata with only the numeric width and height of each image."""
    return {kind: {key: value for key, value in sizes.items()
                   if key in ("width", "height") and type(value) in (int, float)}
            for kind, sizes in metadata.items() if kind in IMAGES and isinstance(sizes, dict)}
