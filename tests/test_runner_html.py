"""The report page: the answer cells are read first, above the parameters and contents."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.runner.html import ANSWER_TAG, ReportRenderer


def test_the_answer_comes_before_the_parameters_and_the_contents() -> None:
    answer = new_code_cell("Markdown(answer)", metadata={"tags": [ANSWER_TAG]})
    answer.outputs = [
        new_output("display_data", data={"text/markdown": "**The answer.** 58 lost."})
    ]
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title\n\nThe question."),
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            answer,
            new_markdown_cell("## Section one\n\nBody text."),
        ]
    )
    renderer = ReportRenderer(
        show_code=False,
        run={
            "run_id": "r",
            "date_text": "d",
            "git_commit": "c",
            "git_dirty": False,
            "data_sha256": "s",
        },
        sources={},
    )
    page = renderer.render(nb, {"name": "r", "status": "ok", "notebook_out": ""}, [], [])
    where = {key: page.index(key) for key in ('id="sc-answer"', 'id="sc-parameters"', "Body")}
    assert where['id="sc-answer"'] < where['id="sc-parameters"'] < where["Body"]
    assert page.count("The answer.") == 1  # moved, not copied
    assert "sc-contents" in page and page.index("sc-contents") > where['id="sc-answer"']
    # The notebook itself is not changed: the answer cell stays where it runs.
    assert ANSWER_TAG in nb.cells[2].metadata["tags"]
