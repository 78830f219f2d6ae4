"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc

from responder import create_app

app = create_app()
# Everything made so far lives as long as the process. Under ``gunicorn --preload`` the
# workers fork from here: frozen, the garbage collector never walks these objects, so it
# does not copy the master's pages into every worker (they stay shared).
gc.freeze()
