"""The text of ``loopprep --help``, kept here so that printing it imports nothing.

``ROOT_HELP`` is what the Typer app prints for ``loopprep --help`` at click's widest wrap (78
columns); tests/cli/test_startup.py fails when the two differ.  After changing a top-level
command or its help, rewrite it with ``python -m loopprep.cli.root_help``.
"""

from __future__ import annotations

ROOT_HELP = """\
Usage: loopprep [OPTIONS] COMMAND [ARGS]...

  Practise the ML / AI engineer and data scientist interview loop, locally.

Options:
  --data-dir <path>     Where the database and your files live (env
                        LOOPPREP_DATA_DIR).
  --database-url <str>  SQLAlchemy database URL (env LOOPPREP_DATABASE_URL).
  --content-dir <path>  Directory of your own content (env
                        LOOPPREP_CONTENT_DIR).
  -h, --help            Show this message and exit.

Commands:
  serve       Start the web app (creating and migrating the database on...
  dashboard   Days to your loop and where to spend your depth.
  rounds      The five rounds (or one of them in full).
  bar         The bar by level, and which company levels are L4, L5 and L6+.
  companies   How each kind of company weights the rounds.
  roles       Which rounds are primary, important and lighter for each role.
  frameworks  The interview-day frameworks (or one in full).
  search      Search all content, ranked, with highlighted snippets.
  settings    Every setting with its current value and description.
  export      Write all your own data as one versioned JSON document.
  import      Restore an export into an empty database (or, with...
  profile     Show or set your role, level, company types and loop date.
  content     Check the content bank or your own content files.
  estimate    Exact napkin math for ML and LLM systems, with the working...
  stats       Experimentation calculators (power, intervals, SRM,...
  plan        Your day-by-day study plan to the loop date.
  code        ML coding problems in your own editor: list, show, start,...
"""


def render() -> str:
    """What the Typer app prints for ``loopprep --help`` on a terminal at least 82 columns wide."""
    import typer.main

    from loopprep.cli.root import app

    command = typer.main.get_command(app)
    ctx = command.make_context("loopprep", [], resilient_parsing=True, terminal_width=78)
    return command.get_help(ctx) + "\n"


if __name__ == "__main__":
    import pathlib

    path = pathlib.Path(__file__)
    body = render().replace("\\", "\\\\").replace('"""', '\\"""')
    head, rest = path.read_text().split('ROOT_HELP = """\\\n', 1)
    tail = rest.split('"""\n', 1)[1]
    path.write_text(f'{head}ROOT_HELP = """\\\n{body}"""\n{tail}')
    print(f"Rewrote {path}.")
