// Package model holds the release-gate test's real model: a
// SageMaker-contract container (app.py, served by serve: GET /ping and
// POST /invocations, gunicorn with one worker pinned to one core, nginx in
// front on request) built from Debian packages, which trains a random
// forest on scikit-learn's bundled digits data at start. Two releases differ
// only in the number of trees, so the second costs several times the CPU
// per prediction.
//
// The package has no Go code: its test runs loadgen's container mode
// against both releases and checks that sagesize compare flags release 2
// against release 1 and not release 1 against a second run of itself.
// scripts/model-gate is the longer version that also finds each release's
// knee and the false-positive rate.
package model
