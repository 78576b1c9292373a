#!/usr/bin/env bash
# Retrain the network that ships inside the package (digitnet/models/3b1b.npz), which
# `digitnet explore` opens when no --model is given: the default recipe (preset 3b1b:
# 784-16-16-10 sigmoid, quadratic cost, lr 1.0 step schedule, 30 epochs, batches of 10),
# seed 0, reference engine. With the same MNIST files, the same seed repeats bit for bit
# on the same machine. Extra arguments go to `digitnet train` (e.g. --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
exec digitnet train --preset 3b1b --seed 0 --engine reference --out digitnet/models/3b1b.npz "$@"
