# Merges the reports of a sharded run into one set, as one unsharded run
# would have written them (docs/reports.md, "Sharding").
#
#   ctest -S ctest-scripts/merge.cmake -DWYN_RESULTS=shards/1;shards/2;shards/3
#         [-DWYN_MERGED_DIR=dir] [-DWYN_JUNIT_FLAVOR=default|strict]
#         [-DWYN_TOOLS_BUILD=dir | -DWYN_TOOLS_DIR=dir]
#
#   WYN_RESULTS       the shards' result directories: each a copy of a shard's
#                     <build>/wyn-report directory (the CI artifact), or the
#                     shard's build directory. Required.
#   WYN_MERGED_DIR    where the merged reports go; default <source>/wyn-report-merged
#   WYN_JUNIT_FLAVOR  default or strict
#   WYN_TOOLS_BUILD   where wyn-report is built; default <source>/build-tools
#   WYN_TOOLS_DIR     prebuilt wyn-ctest tools (<dir>/bin/wyn-report): nothing is built
#
# Appends summary.md to $GITHUB_STEP_SUMMARY when that is set. Exit status:
# non-zero when a test failed in any shard, or a shard is missing.
cmake_minimum_required(VERSION 3.25)
# A plain script: no dashboard steps for ctest to run after it.
set(CTEST_RUN_CURRENT_SCRIPT OFF)

get_filename_component(source "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT WYN_RESULTS)
  message(FATAL_ERROR "wyn-merge: set WYN_RESULTS to the shards' result directories")
endif()
if(NOT WYN_MERGED_DIR)
  set(WYN_MERGED_DIR "${source}/wyn-report-merged")
endif()
if(NOT WYN_TOOLS_BUILD)
  set(WYN_TOOLS_BUILD "${source}/build-tools")
endif()
if(NOT WYN_JUNIT_FLAVOR)
  set(WYN_JUNIT_FLAVOR default)
endif()

# A script has no CMAKE_EXECUTABLE_SUFFIX; the tools run where it runs.
set(exe "")
if(CMAKE_HOST_WIN32)
  set(exe ".exe")
endif()
if(WYN_TOOLS_DIR)
  set(report "${WYN_TOOLS_DIR}/bin/wyn-report${exe}")
else()
  # Only the reporter is needed: no compiler, no suite.
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${source}/generator" -B "${WYN_TOOLS_BUILD}" -G Ninja
                          -DCMAKE_BUILD_TYPE=Release
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc EQUAL 0)
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${WYN_TOOLS_BUILD}" --target wyn-report
      RESULT_VARIABLE rc OUTPUT_QUIET)
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "wyn-merge: building wyn-report in ${WYN_TOOLS_BUILD} failed")
  endif()
  set(report "${WYN_TOOLS_BUILD}/bin/wyn-report${exe}")
endif()

execute_process(COMMAND "${report}" merge --junit "${WYN_JUNIT_FLAVOR}"
                        "${WYN_MERGED_DIR}" ${WYN_RESULTS}
  RESULT_VARIABLE merged)
if(DEFINED ENV{GITHUB_STEP_SUMMARY} AND EXISTS "${WYN_MERGED_DIR}/summary.md")
  file(READ "${WYN_MERGED_DIR}/summary.md" markdown)
  file(APPEND "$ENV{GITHUB_STEP_SUMMARY}" "${markdown}\n")
endif()
if(NOT merged EQUAL 0)
  message(FATAL_ERROR "wyn-merge: the shards could not be merged completely (see above)")
endif()

# A test failed when its status is not one CTest counts as passing.
file(READ "${WYN_MERGED_DIR}/summary.json" summary)
string(JSON total GET "${summary}" counts total)
set(ok 0)
foreach(status passed xfail skipped)
  string(JSON n GET "${summary}" counts ${status})
  math(EXPR ok "${ok} + ${n}")
endforeach()
if(NOT ok EQUAL total)
  math(EXPR failed "${total} - ${ok}")
  message(FATAL_ERROR "wyn-merge: ${failed} of ${total} tests failed; see ${WYN_MERGED_DIR}/summary.md")
endif()
message(STATUS "wyn-merge: all ${total} tests passed; reports in ${WYN_MERGED_DIR}")
