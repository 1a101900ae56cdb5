"""Exports: a stored artifact, or a whole job, in the formats learners' tools take. Pure functions of the
content: no I/O, the same input the same output.

    formats_of(artifact) -> ("json", "md", ...)
    render(artifact, "csv", content, job_id=..., title=...) -> Rendered(data, media_type, extension)
    render_job(job_id, title, {artifact: content, ...}) -> Rendered (a zip of everything)
    filename(title, artifact, extension) -> "photosynthesis-quiz.csv"

``render`` raises ``UnknownFormat`` (with the ``known`` formats of that artifact) for any other format.
"""

from app.exports.bundle import Made, render_job
from app.exports.filenames import filename
from app.exports.formats import Rendered
from app.exports.registry import FORMATS, UnknownFormat, formats_of, render

__all__ = ["FORMATS", "Made", "Rendered", "UnknownFormat", "filename", "formats_of", "render", "render_job"]
