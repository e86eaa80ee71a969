# CI in one command: configure, build, test and publish the reports.
#
#   ctest -S ctest-scripts/ci.cmake [-DWYN_BUILD_DIR=dir] [-DWYN_ARTIFACTS_DIR=dir]
#         [-DWYN_TEST_DIRS=dir;dir] [-DWYN_COMPILER=path]
#         [-DWYN_CONFIGURE_OPTIONS=-DWYN_EXIT_CODE=any;-DWYN_COMPILE_CACHE_DIR=...]
#         [-DWYN_SHARD=K/N] [-DWYN_SHARD_DURATIONS=summary.json] [-DWYN_JOBS=N]
#         [-DWYN_JUNIT_FLAVOR=default|strict] [-DWYN_FRESH=ON]
#
# Variables (all optional):
#   WYN_BUILD_DIR          build directory; default <source>/build-ci
#   WYN_TEST_DIRS          the suites (a ;-list); default: the bundled examples
#   WYN_COMPILER           the Wyn compiler; default: the stand-in test double
#                          (this repository's example build only)
#   WYN_CONFIGURE_OPTIONS  other cache settings, a ;-list of -D options
#                          (WYN_EXIT_CODE, WYN_COMPILE_CACHE_DIR ...)
#   WYN_SHARD, WYN_SHARD_DURATIONS
#                          run one shard of N (docs/reports.md, "Sharding")
#   WYN_JOBS               tests at once; default: the number of cores
#   WYN_JUNIT_FLAVOR       default (Jenkins/GitLab) or strict (Ant schema)
#   WYN_ARTIFACTS_DIR      where to copy the reports; default: they stay in
#                          <build>/wyn-report (upload that directory)
#   WYN_FRESH              ON: empty the build directory first
#
# The reports (junit.xml, ctrf.json, summary.md, trace.json, report.html and
# summary.json) are written by wyn-report at the end of the test step. When
# $GITHUB_STEP_SUMMARY is set, summary.md is appended to it.
#
# Exit status: non-zero when a test failed (or configuring or building
# failed, or no test ran); zero otherwise, skipped tests and expected
# failures included.
cmake_minimum_required(VERSION 3.25)

get_filename_component(CTEST_SOURCE_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT WYN_BUILD_DIR)
  set(WYN_BUILD_DIR "${CTEST_SOURCE_DIRECTORY}/build-ci")
endif()
get_filename_component(CTEST_BINARY_DIRECTORY "${WYN_BUILD_DIR}" ABSOLUTE)
set(CTEST_CMAKE_GENERATOR "Ninja")
set(CTEST_SITE "wyn-ci")
set(CTEST_BUILD_NAME "wyn-ctest")
if(NOT WYN_JOBS)
  cmake_host_system_information(RESULT WYN_JOBS QUERY NUMBER_OF_LOGICAL_CORES)
endif()
if(NOT WYN_JUNIT_FLAVOR)
  set(WYN_JUNIT_FLAVOR default)
endif()

if(WYN_FRESH AND EXISTS "${CTEST_BINARY_DIRECTORY}/CMakeCache.txt")
  ctest_empty_binary_directory("${CTEST_BINARY_DIRECTORY}")
endif()

set(options
  "-DWYN_REPORT_FORMATS=junit,ctrf,markdown,trace,html"
  "-DWYN_JUNIT_FLAVOR=${WYN_JUNIT_FLAVOR}"
  "-DWYN_SHARD=${WYN_SHARD}"
  "-DWYN_SHARD_DURATIONS=${WYN_SHARD_DURATIONS}")
if(WYN_TEST_DIRS)
  # One option whose value is a list: its semicolons must survive OPTIONS.
  string(REPLACE ";" "\\;" dirs "${WYN_TEST_DIRS}")
  list(APPEND options "-DWYN_TEST_DIRS=${dirs}")
endif()
if(WYN_COMPILER)
  list(APPEND options "-DWYN_COMPILER=${WYN_COMPILER}")
endif()
list(APPEND options ${WYN_CONFIGURE_OPTIONS})

ctest_start(Experimental)
ctest_configure(OPTIONS "${options}" RETURN_VALUE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "wyn-ci: configuring ${CTEST_BINARY_DIRECTORY} failed (${configured})")
endif()
ctest_build(RETURN_VALUE built NUMBER_ERRORS build_errors)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "wyn-ci: the build failed (${build_errors} errors)")
endif()

# The reporter runs from CTestCustom.cmake, which script mode only reads when told.
# It rewrites summary.json after every run with tests: one older than this
# run must not be published as this run's.
set(reports "${CTEST_BINARY_DIRECTORY}/wyn-report")
file(REMOVE "${reports}/summary.json")
ctest_read_custom_files("${CTEST_BINARY_DIRECTORY}")
ctest_test(PARALLEL_LEVEL ${WYN_JOBS} RETURN_VALUE tested)
if(NOT EXISTS "${reports}/summary.json")
  message(FATAL_ERROR "wyn-ci: no Wyn test ran (or the reporter failed): no ${reports}/summary.json")
endif()

set(missing "")
foreach(file junit.xml ctrf.json summary.md trace.json report.html summary.json)
  if(NOT EXISTS "${reports}/${file}")
    list(APPEND missing "${file}")
  endif()
endforeach()
if(missing)
  message(WARNING "wyn-ci: ${reports} lacks ${missing}")
endif()
if(WYN_ARTIFACTS_DIR)
  file(MAKE_DIRECTORY "${WYN_ARTIFACTS_DIR}")
  # file(COPY) skips a destination whose timestamp it judges current, which
  # could publish a previous run's report; COPY_FILE always copies. The
  # directories (codegen/: the generated code of the previous run) are the
  # build's own state, not reports.
  file(GLOB files LIST_DIRECTORIES false "${reports}/*")
  foreach(file IN LISTS files)
    get_filename_component(name "${file}" NAME)
    file(COPY_FILE "${file}" "${WYN_ARTIFACTS_DIR}/${name}")
  endforeach()
  message(STATUS "wyn-ci: reports copied to ${WYN_ARTIFACTS_DIR}")
endif()
if(DEFINED ENV{GITHUB_STEP_SUMMARY} AND EXISTS "${reports}/summary.md")
  file(READ "${reports}/summary.md" markdown)
  file(APPEND "$ENV{GITHUB_STEP_SUMMARY}" "${markdown}\n")
endif()

if(NOT tested EQUAL 0)
  message(FATAL_ERROR "wyn-ci: tests failed; see ${reports}/summary.md or report.html")
endif()
message(STATUS "wyn-ci: all tests passed; reports in ${reports}")
