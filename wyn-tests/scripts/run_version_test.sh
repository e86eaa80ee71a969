#!/bin/bash
# Listed in known.txt: one sub-check fails until the version scheme changes.
failed=0
version=$("$WYN" --version)
if [[ $version == *Wyn* ]]; then echo "  ok    --version names Wyn"; else echo "  FAIL  --version names Wyn ($version)"; failed=1; fi
if [[ $version == *v2.* ]]; then echo "  ok    --version is 2.x"; else echo "  FAIL  --version is 2.x (got ${version%% -*})"; failed=1; fi
exit $failed
