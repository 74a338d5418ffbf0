"""The baseline for bench/answer_post.py: a bare Flask hello-world (``gunicorn hello:app``)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
