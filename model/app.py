"""A SageMaker-contract model container for sagesize's release-gate test.

GET /ping answers 200 once the model is trained; POST /invocations takes
JSON {"instances": [[64 pixel values], ...]} (or one row of CSV) and
answers the predicted digits. The model is a random forest trained at
start on scikit-learn's bundled digits data set (no download), with
MODEL_TREES trees: release 1 uses 50, release 2 400, so that release 2
costs about 8 times as much CPU per prediction.
"""
import json
import os
import time

from flask import Flask, Response, request
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

TREES = int(os.environ.get("MODEL_TREES", "50"))
RELEASE = os.environ.get("MODEL_RELEASE", "r%d" % TREES)

_started = time.time()
_digits = load_digits()
_model = RandomForestClassifier(n_estimators=TREES, random_state=42, n_jobs=1)
_model.fit(_digits.data, _digits.target)
TRAIN_SECONDS = time.time() - _started

app = Flask(__name__)


@app.get("/ping")
def ping():
    return Response(json.dumps({"release": RELEASE, "trees": TREES, "train_seconds": round(TRAIN_SECONDS, 2)}),
                    status=200, mimetype="application/json")


def _rows(body, content_type):
    if content_type.startswith("text/csv"):
        return [[float(v) for v in line.split(",")] for line in body.decode().splitlines() if line.strip()]
    doc = json.loads(body)
    rows = doc["instances"] if isinstance(doc, dict) else doc
    if rows and not isinstance(rows[0], list):
        rows = [rows]
    return rows


@app.post("/invocations")
def invocations():
    try:
        rows = _rows(request.get_data(), request.content_type or "application/json")
    except (ValueError, KeyError, TypeError) as e:
        return Response(json.dumps({"error": "bad request body: %s" % e}), status=400, mimetype="application/json")
    if not rows or any(len(r) != _digits.data.shape[1] for r in rows):
        return Response(json.dumps({"error": "each instance needs %d features" % _digits.data.shape[1]}),
                        status=400, mimetype="application/json")
    preds = _model.predict(rows)
    return Response(json.dumps({"predictions": [int(p) for p in preds], "release": RELEASE}),
                    status=200, mimetype="application/json")
