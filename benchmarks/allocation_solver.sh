#!/bin/sh
# Run the allocation solver's bench; with no argument, the full set written to docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
    set -- --scales luchon,mid,department,region --variants continuous,operational --seeds 1 \
        --also national/continuous/1 --mip-time-limit 60 --markdown docs/benchmarks.md
fi
exec python -m solver bench "$@"
