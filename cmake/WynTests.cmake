# Distributed with wyn-ctest. See README.md for the overview.

#[=======================================================================[.rst:
WynTests
--------

Compile and run directories of Wyn test programs with Ninja and CTest.

.. command:: wyn_add_tests

  Adds one compile step per ``.wyn`` file of a directory to the build, and
  one CTest test per test file::

    wyn_add_tests(DIRECTORY dir
                  [NAME suite]
                  [LABELS label...]
                  [TIMEOUT seconds]
                  [EXIT_CODE zero|any]
                  [NO_EXPECT run|ignore]
                  [COMPILER path]
                  [COMPILER_STYLE auto|legacy|build]
                  [WYN_ROOT dir]
                  [COMPILER_LAUNCHER command...]
                  [TOOLCHAIN_CACHE AUTO|ON|OFF]
                  [STRICT_BUILD]
                  [COMPILE_ARGS arg...]
                  [SNAPSHOT GENERATED_C|OUTPUT [SNAPSHOT_SUFFIX suffix]
                            [SNAPSHOT_FILTERS regex replacement...]]
                  [KNOWN_FAILURES file [KNOWN_FAILURES_STRICT]]
                  [WORKING_DIRECTORY dir])

  The directory is scanned recursively at configure time, in a fixed order.
  Symbolically linked directories are not entered. Adding, removing or
  renaming a ``.wyn`` file re-runs the scan at the next ``cmake --build``;
  editing a file only recompiles that test (and the tests importing it when
  it is a module). Each test compiles in its own directory under
  ``<build>/wyn/<suite>/t/``; nothing is written into ``dir``.

  A test is named ``<suite>/<path relative to dir, without .wyn>``. Its
  directives (``// EXPECT:``, ``// EXPECT_ERROR:``, ``// SKIP:`` ...) are
  described in ``docs/directives.md``. A file without expectations and
  without ``fn main`` is a module that other tests import, not a test.

  ``DIRECTORY``
    The suite directory. Required.

  ``NAME``
    The suite name: the first part of each test name and a CTest label.
    Default: the directory's own name. Two suites with one name are an error.

  ``LABELS``
    Extra CTest labels for every test of the suite, besides the suite name
    and the labels each test's ``// LABELS:`` line gives.

  ``TIMEOUT``
    Seconds a test program may run before its process group is terminated,
    unless its ``// TIMEOUT:`` line says otherwise. Default:
    ``WYN_TEST_TIMEOUT`` (30).

  ``EXIT_CODE``
    ``zero``: a program must exit 0 unless its ``// EXPECT_EXIT:`` line
    names another code. ``any``: the exit code is the program's value and
    only a signal or a timeout fails. Default: ``WYN_EXIT_CODE`` (``zero``).

  ``NO_EXPECT``
    What a file with ``fn main`` and no expectation is. ``run``: a test
    judged by the exit-code policy. ``ignore``: not a test (reported at
    configure time). Default: ``WYN_NO_EXPECT`` (``run``).

  ``COMPILER``
    The Wyn compiler. Default: ``WYN_COMPILER``. A suite with neither is a
    configure error saying how to name one: there is no built-in default
    (wyn-ctest's own example build alone defaults to its stand-in compiler,
    a test double). The configure step prints, once per suite, the
    compiler, the first line of its ``--version`` output and its command
    line, e.g. ``wyn: suite expect: /src/wyn/wyn (Wyn v1.20.0 - compiled
    language: ...; build command line)``.

  ``COMPILER_STYLE``
    The compiler's command line. ``legacy``: ``wyn FILE.wyn`` writing
    ``FILE.out`` beside the file (Wyn 1.6 and older). ``build``:
    ``wyn build FILE.wyn -o OUT`` (Wyn 1.7 and later). ``auto`` runs
    ``COMPILER --version``. Default: ``WYN_COMPILER_STYLE`` (``auto``).

  ``WYN_ROOT``
    Legacy style only: the directory whose ``src/`` holds the runtime
    sources; set as ``WYN_ROOT`` for every compile, and the runtime files
    are dependencies of every compile. Default: ``WYN_ROOT`` if set, else
    the compiler's directory.

  ``COMPILER_LAUNCHER``
    A command put in front of every compile command, like CMake's
    ``<LANG>_COMPILER_LAUNCHER``. Default: ``WYN_COMPILER_LAUNCHER``.

  ``TOOLCHAIN_CACHE``
    Put wyn-ctest's C-compiler wrapper, ``wyn-cc``, in front of the C
    compiler the Wyn compiler runs (``clang``, ``cc``, ``gcc`` on its
    ``PATH``, and ``WYN_CC`` for the build command line), so that a link
    command compiling the same runtime sources or the same generated C
    again reuses their objects (through a memo in the build directory and
    ccache). ``AUTO``: on when ``ccache`` is on ``PATH``. ``ON``: ccache is
    required. ``OFF``: the compiler runs its C compiler itself. Results are
    the same either way (``docs/caching.md``). Default:
    ``WYN_TOOLCHAIN_CACHE`` (``AUTO``).

  ``STRICT_BUILD``
    A test that fails to compile (without ``// EXPECT_ERROR:``) fails
    ``cmake --build`` instead of being reported by CTest. Default:
    ``WYN_STRICT_BUILD`` (``OFF``).

  ``COMPILE_ARGS``
    Extra compiler arguments, put after the file name
    (``wyn build NAME.wyn ARGS... -o OUT``; legacy: ``wyn NAME.wyn ARGS...``).
    They are part of the compile cache key. Default: none.

  ``SNAPSHOT``
    Judges every test by a snapshot file beside its source,
    ``<name without .wyn><SNAPSHOT_SUFFIX>``. ``GENERATED_C``: the test is
    compiled, not run, and the C the compiler leaves beside the file it
    compiled (``NAME.wyn.c``) is the text compared (build command line;
    such suites bypass the compile cache, which keeps only executables).
    ``OUTPUT``: the program runs as usual and its output is compared too.
    The comparison is that of the Wyn repository's golden-C runner: in the
    text compared, in every run of characters that are neither ``"`` nor
    white space and contain ``NAME.wyn``, the part from the run's start to
    the end of its last ``NAME.wyn`` becomes ``NAME.wyn`` (so
    ``#line 3 "/src/tests/golden/NAME.wyn"`` becomes
    ``#line 3 "NAME.wyn"`` and ``/* @tests/golden/NAME.wyn:3 */`` becomes
    ``/* NAME.wyn:3 */``); a trailing CR is dropped from every line of both
    it and the snapshot; nothing else changes (``docs/directives.md``).
    A missing or different snapshot fails the test; the reason starts a
    unified diff, the record (``snapshot_diff``) holds all of it.
    ``WYN_BLESS=1 ctest -R <regex>`` writes the snapshots of the tests that
    ran and differed or had none, as compared (normalized and filtered;
    atomically; the only writes wyn-ctest ever makes into a source tree),
    prints each path and reports those tests passed with the note
    "snapshot written". The snapshot is read at every run, so an edited
    one is judged again. Default: no snapshots.

  ``SNAPSHOT_SUFFIX``
    Default: ``.c.golden`` for ``GENERATED_C``, ``.out.golden`` for ``OUTPUT``.

  ``SNAPSHOT_FILTERS``
    Pairs of an ECMAScript regular expression (C++ ``std::regex``) and its
    replacement, for text that changes from run to run. After the
    normalization above, each pair in turn is applied to each line (without
    its newline, so ``^`` and ``$`` are the line's ends) of both the text
    compared and the snapshot, replacing every match; in the replacement
    ``$&`` is the match, ``$1`` to ``$99`` its groups, ``$$`` a ``$``. A
    blessed snapshot holds the filtered text, so a filter must leave its own
    replacement unchanged. An odd number of words or a pattern that is not
    a regular expression is a configure error naming the pattern. Words are
    taken as given (a ``;`` or an unpaired ``[`` in a pattern is fine);
    within a CMake quoted argument a backslash is written ``\\``. Default:
    none. For example, for a compiler that writes its build time and a
    temporary directory into the C::

      wyn_add_tests(DIRECTORY tests/golden SNAPSHOT GENERATED_C COMPILE_ARGS --debug
                    SNAPSHOT_FILTERS "built at [0-9:]+" "built at <TIME>"
                                     "/tmp/wyn-[A-Za-z0-9]+/" "<TMP>/")

  ``KNOWN_FAILURES``
    A list of tests expected to fail: one ``<file name> <fail|hang|flaky>``
    per line (a path relative to ``DIRECTORY`` works too), ``#`` comments.
    A listed test that does not pass (``failed``, ``timeout``, ``crashed``,
    ``compile_error``) is ``xfail``, "known failure, listed at FILE:LINE";
    a listed test that passes stays ``passed`` and is reported as *fixed*
    (terminal summary, ``summary.json``, Markdown, HTML) so that its line
    can be deleted. Malformed lines and names that match no test are
    configure warnings naming ``FILE:LINE``. Editing the list re-runs the
    configure step. Default: none.

  ``KNOWN_FAILURES_STRICT``
    A listed test that passes is ``xpass``, a failure, instead of fixed.

  ``WORKING_DIRECTORY``
    The directory every program of the suite runs in, shared by all of
    them, relative to the current source directory unless absolute: for
    programs that, as under a runner started from the repository root,
    open files of the checkout by relative paths. It must exist at
    configure time; a directory gone by the time a test runs makes that
    test a ``harness_error`` naming the suite and the directory. ``PWD``
    names it, ``// ARGS:`` paths are relative to it, and files a program
    writes by relative paths land in it and stay there: tests running at
    once see each other's files, and their writes to one file race.
    ``TMPDIR`` stays a fresh directory of each test, and so do its record
    and output. The result cache never reuses a result of such a suite:
    its key cannot cover what a program reads in that directory
    (``docs/caching.md``). Default: none; each program runs in a fresh
    scratch directory of its test, ``TMPDIR`` inside it.

  After ``ctest``, a summary of the run is printed and written to
  ``<build>/wyn-report/summary.json``. The reporter runs through
  ``<build>/CTestCustom.cmake`` (``<build>`` being ``CMAKE_BINARY_DIR``,
  the only place ``ctest`` reads it), written at the end of the configure
  step when no such file exists or the existing one is wyn-ctest's. A
  project with a ``CTestCustom.cmake`` of its own keeps it, is warned, and
  adds ``include(<build>/wyn/CTestCustom-wyn.cmake)`` to it for the summary.

  The suites need the ``Ninja`` generator (their compile steps share a job
  pool); any other is a configure error.

  Example::

    include(WynTests)
    set(WYN_COMPILER ${CMAKE_CURRENT_SOURCE_DIR}/wyn CACHE FILEPATH "The Wyn compiler")
    wyn_add_tests(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/tests/unit
                  EXIT_CODE any LABELS legacy)
    wyn_add_tests(DIRECTORY tests/golden SNAPSHOT GENERATED_C COMPILE_ARGS --debug)
    wyn_add_tests(DIRECTORY tests/stdlib KNOWN_FAILURES tests/stdlib/known_failures.txt
                  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})

.. command:: wyn_add_script_tests

  Adds one CTest test per script, run by the launcher like a test program
  (own process group, timeout, limits, output cap, record, reports)::

    wyn_add_script_tests(GLOB pattern... | SCRIPT file...
                         [ARGS arg...]
                         [NAME suite]
                         [WORKING_DIRECTORY dir]
                         [ENV NAME=value...]
                         [TIMEOUT seconds]
                         [LABELS label...]
                         [COMPILER path]
                         [TOOLCHAIN_CACHE AUTO|ON|OFF]
                         [KNOWN_FAILURES file [KNOWN_FAILURES_STRICT]])

  Each call is one suite. A test is named ``<suite>/<file name without
  extension>``. A ``.sh`` or ``.bash`` file runs as ``bash FILE ARGS...``,
  any other file as ``FILE ARGS...``. The environment has ``WYN`` set to
  the compiler's absolute path and ``TMPDIR`` to a scratch directory of the
  test.

  A script passes when it exits 0. Lines of its output such as
  ``  ok    what``, ``  FAIL  what (details)``, ``  skip  what (why)``,
  ``ok 3 - what`` and ``not ok 4 - what`` (TAP; ``# SKIP why`` marks a
  skipped one, ``# TODO why`` one whose failure fails nothing) are its
  sub-checks: listed in the record (``subchecks``), the HTML report and
  JUnit ``<system-out>``; a failing script's reason names the failing ones.

  A script that cannot run here says so and exits 0: it is reported
  ``skipped`` (record, summary, JUnit ``<skipped message>``, and CTest,
  through ``SKIP_RETURN_CODE``) when its output has a line that is, from
  its first column to its end (trailing blanks and colours aside), a name
  of letters, digits, ``_``, ``.`` or ``-``, then ``: SKIP (``, a reason
  and ``)`` -- ``lsp: SKIP (python3 not found)``, whose reason is
  ``python3 not found`` -- and no sub-check that passed or failed. A
  script whose sub-checks were all ``skip`` lines is skipped too; one
  with a ``skip`` line besides checks that ran is judged by those. A
  script that prints a SKIP line and exits non-zero has failed.

  With ``WYN_RESULT_CACHE`` a passing script is run again only when it,
  its arguments or the compiler changed.

  With the toolchain cache on, every C compile and link the script's
  processes run goes through ``wyn-cc`` as the Wyn compiles do: its
  directory is first on the script's ``PATH`` (so ``cc``, ``gcc``,
  ``clang`` and the Wyn compiler looking for one find it), and ``CC`` and
  ``WYN_CC``, when set to one word other than those names, name it. The
  objects are keyed by the preprocessed source, so a program a script
  writes into a fresh ``mktemp -d`` directory is compiled once; commands
  it does not understand run unchanged. Nothing else of what the script
  sees changes, nor any verdict (``docs/caching.md``).

  ``GLOB``
    File patterns (``file(GLOB)``), relative to the current source
    directory; matching nothing is an error. Adding or removing a file in
    a matched directory re-runs the configure step.

  ``SCRIPT``
    Script files, relative to the current source directory, each of which
    must exist: for single scripts such as ``tests/fuzz/run_fuzz.sh``.
    ``GLOB``, ``SCRIPT`` or both are required; the suite's tests are the
    ``GLOB`` matches, sorted, then the ``SCRIPT`` files in order. Two
    scripts of one suite with the same name without extension are an
    error, and so is one file given twice.

  ``ARGS``
    Arguments passed to every script of the call, after its file name,
    each exactly as written (spaces, quotes, ``;``, ``$`` and brackets
    included; no shell sees them). A word that is one of this function's
    keywords cannot be an argument. To run one script with several sets
    of arguments, call the function once for each, with a ``NAME`` each:
    two suites with one name are an error. Default: none.

  ``NAME``
    The suite name. Default: the name of the directory of the first
    script (``fuzz`` for ``tests/fuzz/run_fuzz.sh``).

  ``WORKING_DIRECTORY``
    Where the scripts run. Default: the directory holding the compiler
    (the repository root for an in-tree ``./wyn``).

  ``ENV``
    Extra environment variables, ``NAME=value`` each.

  ``TIMEOUT``
    Seconds a script may run before its process group is terminated.
    Default: 300.

  ``LABELS``, ``COMPILER``, ``TOOLCHAIN_CACHE``, ``KNOWN_FAILURES``, ``KNOWN_FAILURES_STRICT``
    As for ``wyn_add_tests``; list lines name the script's file name.

  Example::

    wyn_add_script_tests(GLOB tests/errors/run_*_test.sh NAME errors
                         COMPILER ${CMAKE_CURRENT_SOURCE_DIR}/wyn)
    wyn_add_script_tests(SCRIPT tests/lsp/run_lsp_test.sh tests/cpkg/run_sqlite_test.sh
                         NAME tools COMPILER ${CMAKE_CURRENT_SOURCE_DIR}/wyn)
    # The test fuzz/run_fuzz, run as `bash tests/fuzz/run_fuzz.sh 1 60`.
    wyn_add_script_tests(SCRIPT tests/fuzz/run_fuzz.sh ARGS 1 60
                         COMPILER ${CMAKE_CURRENT_SOURCE_DIR}/wyn)

Using the module
^^^^^^^^^^^^^^^^

``find_package(WynCTest 0.2 CONFIG REQUIRED)`` against an installed
wyn-ctest, ``FetchContent_MakeAvailable`` or ``add_subdirectory`` of the
repository, or ``include(WynTests)`` with the repository's ``cmake/`` on
``CMAKE_MODULE_PATH``: each defines the two functions (README.md, "Using
wyn-ctest from another project"). Including the module again, or calling
the functions from several directories, is fine. Besides the two functions
and the ``WYN_*`` cache variables it defines nothing in the includer's
scope: no variables, no policies.

Cache variables
^^^^^^^^^^^^^^^

Defaults of the arguments above: ``WYN_COMPILER_STYLE``,
``WYN_ROOT``, ``WYN_TEST_TIMEOUT``, ``WYN_EXIT_CODE``, ``WYN_NO_EXPECT``,
``WYN_COMPILER_LAUNCHER``, ``WYN_STRICT_BUILD``. They apply to every suite:

``WYN_COMPILER``
  The default ``COMPILER``, read when a suite is added: a cache entry
  (``-DWYN_COMPILER=/path/to/wyn``) or a normal variable
  (``set(WYN_COMPILER ${CMAKE_CURRENT_SOURCE_DIR}/wyn)``). The module does
  not create the entry, so that a project's
  ``set(WYN_COMPILER /path/to/wyn CACHE FILEPATH "The Wyn compiler")``
  after ``include(WynTests)`` works as written: a default that ``-D``
  overrides. Like every ``set(... CACHE ...)`` it leaves an existing entry
  alone, even an empty one (``-DWYN_COMPILER=``); ``FORCE``, a normal
  variable or ``-D`` replace it.

``WYN_COMPILE_TIMEOUT``, ``WYN_TIMEOUT_GRACE``
  Seconds one compile may take (600), and between ``SIGTERM`` and
  ``SIGKILL`` when a compile or a test runs out of time (2).

``WYN_COMPILE_JOBS``
  Compiles Ninja runs at once (a job pool), independent of ``ctest -j``.
  Default: the number of logical cores.

``WYN_COMPILE_CACHE``, ``WYN_COMPILE_CACHE_DIR``
  The content-addressed compile cache (``ON``), in
  ``$XDG_CACHE_HOME/wyn-ctest`` or ``~/.cache/wyn-ctest``; build
  directories can share it (``docs/caching.md``). The environment variables
  the compiler reads are captured when cmake runs, as for ``CC``.

``WYN_REMOTE_CACHE``, ``WYN_REMOTE_CACHE_MODE``
  A remote cache behind the compile cache and the toolchain cache: the URL
  of an HTTP server that answers ``GET`` and ``PUT`` (nginx WebDAV,
  bazel-remote, an object store), empty by default; ``read-write`` (the
  default: look up, and upload what was compiled) or ``read-only``. The
  environment variables of the same names override both at build time;
  ``WYN_REMOTE_CACHE_HEADER`` (environment only, never recorded) adds an
  authentication header. See ``docs/caching.md``.

``WYN_TOOLCHAIN_CACHE``
  Default of ``TOOLCHAIN_CACHE`` (``AUTO``). The toolchain cache keeps
  ccache's directory in ``WYN_COMPILE_CACHE_DIR/toolchain``; configure
  says whether it is on.

``WYN_RESULT_CACHE``
  Do not re-run a passing test whose program, expectations and environment
  are unchanged (``OFF``; ``WYN_RESULT_CACHE=1|0`` in the environment of
  ``ctest`` decides for one run).

``WYN_MEMORY_LIMIT_MB``, ``WYN_CPU_LIMIT``, ``WYN_MAX_OPEN_FILES``, ``WYN_CORE_DUMPS``, ``WYN_OUTPUT_LIMIT_MB``, ``WYN_LEAK_POLICY``
  Limits of each test program: address space (4096 MiB), CPU seconds (0:
  none), open files (1024), core files (``OFF``), output stored (10 MiB; the
  rest is counted), and whether processes left behind fail the test
  (``fail``) or only warn (``warn``). Directives override them per test.

``WYN_SHARD``, ``WYN_SHARD_DURATIONS``
  ``K/N``: build and register only shard K of N of every suite, balanced by
  the durations in an earlier ``summary.json`` when given.

``WYN_REPORT_FORMATS``, ``WYN_JUNIT_FLAVOR``, ``WYN_REPORT_OUTPUT_CAP``
  Reports written after each ``ctest`` run besides ``summary.json``: any of
  ``junit;ctrf;markdown;trace;html`` (all), the JUnit dialect (``default``,
  or ``strict`` for the Ant schema), and the bytes of output per test kept
  in them (16384). See ``docs/reports.md``.

``WYN_TOOLS_DIR``
  Prebuilt wyn-ctest tools. Empty (the default): the installed tools when
  the module came from ``find_package(WynCTest)``; the tool targets of this
  build when wyn-ctest is part of it (``FetchContent``,
  ``add_subdirectory``), the suites then being configured and built by the
  target ``wyn_suites`` once the tools are (``<build>/wyn-suites``; each
  suite is a ``NOT_BUILT`` placeholder test until the first build); else
  they are built at configure time into ``<build>/wyn-tools`` (the module
  included from a checkout through ``CMAKE_MODULE_PATH``).

``WYN_PROCESS_BACKEND``
  How the tools control test processes: ``linux`` (child subreaper,
  parent-death signal, pidfd, ``/proc``), ``posix`` (only what macOS and the
  BSDs have), or ``auto`` (the default: ``linux`` on Linux, ``posix``
  elsewhere). ``posix`` on Linux builds the code macOS runs.
  ``docs/guarantees.md`` lists what each one guarantees. Changing it rebuilds
  the tools at the next configure.

#]=======================================================================]

include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "WynTests.cmake needs CMake 3.25 or later; this is ${CMAKE_VERSION}")
endif()
# The policies of 3.25 for this file and the functions it defines (a
# function keeps the policies of its definition), without the side effects
# of cmake_minimum_required on the including project. Popped at the end.
cmake_policy(PUSH)
cmake_policy(VERSION 3.25)

# No WYN_COMPILER entry here: an empty one would make a project's
# set(WYN_COMPILER ... CACHE FILEPATH "") after include() do nothing.
set(WYN_COMPILER_STYLE "auto" CACHE STRING "Command line of the Wyn compiler: auto, legacy or build")
set_property(CACHE WYN_COMPILER_STYLE PROPERTY STRINGS auto legacy build)
set(WYN_ROOT "" CACHE PATH "Legacy compilers: directory whose src/ holds the runtime (empty: the compiler's directory)")
set(WYN_EXIT_CODE "zero" CACHE STRING "Exit-code policy of Wyn tests: zero or any")
set_property(CACHE WYN_EXIT_CODE PROPERTY STRINGS zero any)
set(WYN_NO_EXPECT "run" CACHE STRING "Files without expectations: run (a test) or ignore (not a test)")
set_property(CACHE WYN_NO_EXPECT PROPERTY STRINGS run ignore)
set(WYN_TEST_TIMEOUT "30" CACHE STRING "Seconds a Wyn test program may run")
set(WYN_COMPILE_TIMEOUT "600" CACHE STRING "Seconds one compile may take")
set(WYN_TIMEOUT_GRACE "2" CACHE STRING "Seconds between SIGTERM and SIGKILL when a test times out")
option(WYN_STRICT_BUILD "A Wyn test that fails to compile fails the build" OFF)
set(WYN_COMPILER_LAUNCHER "" CACHE STRING "Command put in front of every Wyn compile")
cmake_host_system_information(RESULT _wyn_cores QUERY NUMBER_OF_LOGICAL_CORES)
set(WYN_COMPILE_JOBS "${_wyn_cores}" CACHE STRING "Wyn compiles run at once (a Ninja job pool)")
unset(_wyn_cores)
if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(_wyn_cache_home "$ENV{XDG_CACHE_HOME}")
elseif(DEFINED ENV{HOME})
  set(_wyn_cache_home "$ENV{HOME}/.cache")
else()
  set(_wyn_cache_home "${CMAKE_BINARY_DIR}")
endif()
option(WYN_COMPILE_CACHE "Reuse compiled Wyn tests across builds, keyed by content" ON)
set(WYN_COMPILE_CACHE_DIR "${_wyn_cache_home}/wyn-ctest" CACHE PATH
  "Directory of the Wyn compile cache (shareable between build directories)")
unset(_wyn_cache_home)
set(WYN_REMOTE_CACHE "" CACHE STRING
  "URL of a remote compile cache (HTTP GET/PUT, e.g. nginx WebDAV) behind the local one; env WYN_REMOTE_CACHE overrides")
set(WYN_REMOTE_CACHE_MODE "read-write" CACHE STRING
  "read-write (look up and upload) or read-only (look up only); env WYN_REMOTE_CACHE_MODE overrides")
set_property(CACHE WYN_REMOTE_CACHE_MODE PROPERTY STRINGS read-write read-only)
set(WYN_TOOLCHAIN_CACHE "AUTO" CACHE STRING
  "Cache the C compiles the Wyn compiler runs (wyn-cc + ccache): AUTO (when ccache is found), ON or OFF")
set_property(CACHE WYN_TOOLCHAIN_CACHE PROPERTY STRINGS AUTO ON OFF)
option(WYN_RESULT_CACHE "Do not re-run a passing Wyn test whose inputs are unchanged" OFF)
set(WYN_SHARD "" CACHE STRING "K/N: build and register only shard K of N of every Wyn suite")
set(WYN_SHARD_DURATIONS "" CACHE FILEPATH
  "A previous run's summary.json, to balance shards by recorded durations")
set(WYN_MEMORY_LIMIT_MB "4096" CACHE STRING "Address-space limit of a Wyn test program in MiB (0: none)")
set(WYN_CPU_LIMIT "0" CACHE STRING "CPU seconds a Wyn test program may use (0: no limit)")
set(WYN_MAX_OPEN_FILES "1024" CACHE STRING "Open files a Wyn test program may have (0: inherited)")
option(WYN_CORE_DUMPS "Let crashing Wyn test programs write core files" OFF)
set(WYN_OUTPUT_LIMIT_MB "10" CACHE STRING "Output stored per Wyn test program in MiB; the rest is counted")
set(WYN_LEAK_POLICY "fail" CACHE STRING "A test leaving processes behind: fail or warn")
set_property(CACHE WYN_LEAK_POLICY PROPERTY STRINGS fail warn)
set(WYN_TOOLS_DIR "" CACHE PATH
  "Directory of prebuilt wyn-ctest tools (empty: the package's, the tool targets of this build, or built at configure time)")
set(WYN_PROCESS_BACKEND "auto" CACHE STRING
  "Process control of the tools: auto (linux on Linux, windows on Windows, posix elsewhere), linux, posix or windows")
set_property(CACHE WYN_PROCESS_BACKEND PROPERTY STRINGS auto linux posix windows)

# Validates a value against a list of allowed ones.
function(_wyn_check_enum what value)
  if(NOT value IN_LIST ARGN)
    string(REPLACE ";" ", " allowed "${ARGN}")
    message(FATAL_ERROR "wyn_add_tests: ${what} must be one of ${allowed}, not '${value}'")
  endif()
endfunction()

# Sets <out_var> to the file name suffix of the target's programs (.exe
# on Windows). CMAKE_EXECUTABLE_SUFFIX is set only once a language is
# enabled, and a project of suites may enable none.
function(_wyn_exe out_var)
  if(CMAKE_EXECUTABLE_SUFFIX)
    set(${out_var} "${CMAKE_EXECUTABLE_SUFFIX}" PARENT_SCOPE)
  elseif(WIN32 OR CMAKE_SYSTEM_NAME STREQUAL "Windows")
    set(${out_var} ".exe" PARENT_SCOPE)
  else()
    set(${out_var} "" PARENT_SCOPE)
  endif()
endfunction()

# Sets <out_var> to the file of the wyn-ctest tool wyn-<name>.
function(_wyn_tool_path name out_var)
  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)
  _wyn_exe(exe)
  set(${out_var} "${tools}/bin/wyn-${name}${exe}" PARENT_SCOPE)
endfunction()

# Sets <out_var> to the command (a list) that runs the wyn-ctest tool
# wyn-<name>: its file, after CMAKE_CROSSCOMPILING_EMULATOR when the tools
# were cross-built (Wine runs the Windows tools on Linux). For every
# execute_process, custom command and test that runs a tool.
function(_wyn_tool_command name out_var)
  get_property(emulator GLOBAL PROPERTY _WYN_TOOLS_EMULATOR)
  _wyn_tool_path(${name} path)
  set(${out_var} ${emulator} "${path}" PARENT_SCOPE)
endfunction()

# Builds the wyn-ctest tools (generator, compile step, launcher, reporter,
# stand-in compiler) into <build>/wyn-tools at configure time: the generator
# has to exist before the test graph can be written. Editing a tool source
# re-runs the configure step, which rebuilds them incrementally.
function(_wyn_ensure_tools)
  get_property(ready GLOBAL PROPERTY _WYN_TOOLS_READY)
  if(ready)
    return()
  endif()
  get_filename_component(wyn_home "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/.." ABSOLUTE)
  # Set by WynCTestConfig.cmake (find_package) and by wyn-ctest's
  # CMakeLists.txt when it is part of another build (tool targets).
  get_property(package_tools GLOBAL PROPERTY _WYN_PACKAGE_TOOLS)
  get_property(tool_targets GLOBAL PROPERTY _WYN_TOOL_TARGETS_DIR)
  if(WYN_TOOLS_DIR)
    set(tools "${WYN_TOOLS_DIR}")
  elseif(package_tools)
    set(tools "${package_tools}")
  elseif(tool_targets)
    # Built by this build, after the configure step: the suites become a
    # project of their own, configured once the tools exist (_wyn_nest_suite).
    set_property(GLOBAL PROPERTY _WYN_TOOLS "${tool_targets}")
    set_property(GLOBAL PROPERTY _WYN_NESTED TRUE)
    set_property(GLOBAL PROPERTY _WYN_TOOLS_READY TRUE)
    return()
  elseif(NOT EXISTS "${wyn_home}/generator/CMakeLists.txt")
    message(FATAL_ERROR "wyn: no wyn-ctest tools: ${CMAKE_CURRENT_FUNCTION_LIST_FILE} has no "
      "generator/ beside it to build them from; use find_package(WynCTest) or set WYN_TOOLS_DIR")
  else()
    set(tools "${CMAKE_BINARY_DIR}/wyn-tools")
    _wyn_check_enum(WYN_PROCESS_BACKEND "${WYN_PROCESS_BACKEND}" auto linux posix windows)
    # Passed on every configure: a changed value reaches the tools' cache,
    # whose build then compiles the other backend's sources. The install
    # prefix too, so that the tool tree installs where this build does (the
    # install rules are the tree's; wyn-ctest's CMakeLists.txt runs them).
    set(args -S "${wyn_home}/generator" -B "${tools}" -G "${CMAKE_GENERATOR}"
             -DCMAKE_BUILD_TYPE=Release "-DWYN_PROCESS_BACKEND=${WYN_PROCESS_BACKEND}"
             "-DCMAKE_INSTALL_PREFIX=${CMAKE_INSTALL_PREFIX}")
    if(CMAKE_MAKE_PROGRAM)
      list(APPEND args "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
    endif()
    foreach(lang C CXX)
      if(CMAKE_${lang}_COMPILER)
        list(APPEND args "-DCMAKE_${lang}_COMPILER=${CMAKE_${lang}_COMPILER}")
      endif()
    endforeach()
    # Cross-compiling, the tools are built for the target too: they spawn
    # and supervise its programs with its own process control (on Windows, a
    # Job Object per test), and CMake, Ninja and CTest run them through the
    # emulator (see _wyn_tool_command).
    foreach(var CMAKE_TOOLCHAIN_FILE CMAKE_CROSSCOMPILING_EMULATOR nlohmann_json_DIR)
      if(${var})
        list(APPEND args "-D${var}=${${var}}")
      endif()
    endforeach()
    message(STATUS "wyn: building the wyn-ctest tools in ${tools}")
    execute_process(COMMAND "${CMAKE_COMMAND}" ${args}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "wyn: configuring the wyn-ctest tools failed:\n${out}")
    endif()
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${tools}"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "wyn: building the wyn-ctest tools failed:\n${out}")
    endif()
    # Not CONFIGURE_DEPENDS: that glob runs on every build, so a no-op build
    # would never be "no work to do". A new source file needs a new line in
    # a CMakeLists.txt, which is itself one of these dependencies.
    file(GLOB_RECURSE sources
      "${wyn_home}/generator/*.cpp" "${wyn_home}/generator/*.hpp"
      "${wyn_home}/generator/*.c" "${wyn_home}/generator/*.h"
      "${wyn_home}/generator/CMakeLists.txt" "${wyn_home}/generator/*/CMakeLists.txt")
    set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sources})
  endif()
  _wyn_exe(exe)
  foreach(tool gen compile launch report)
    if(NOT EXISTS "${tools}/bin/wyn-${tool}${exe}")
      message(FATAL_ERROR "wyn: ${tools}/bin/wyn-${tool}${exe} is missing (WYN_TOOLS_DIR=${WYN_TOOLS_DIR})")
    endif()
  endforeach()
  if(CMAKE_CROSSCOMPILING)
    if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
      message(FATAL_ERROR "wyn: cross-compiling for ${CMAKE_SYSTEM_NAME}, the wyn-ctest tools are "
        "programs of ${CMAKE_SYSTEM_NAME} too, and this machine can run them only through an "
        "emulator: set CMAKE_CROSSCOMPILING_EMULATOR (cmake/toolchains/mingw-w64-x86_64.cmake "
        "sets Wine)")
    endif()
    set_property(GLOBAL PROPERTY _WYN_TOOLS_EMULATOR "${CMAKE_CROSSCOMPILING_EMULATOR}")
  endif()
  set_property(GLOBAL PROPERTY _WYN_TOOLS "${tools}")
  set_property(GLOBAL PROPERTY _WYN_TOOLS_READY TRUE)
  set_property(GLOBAL APPEND PROPERTY JOB_POOLS "wyn_compile=${WYN_COMPILE_JOBS}")
endfunction()

# Sets <out_var> to the ccache program when the toolchain cache is to be on
# for `setting` (AUTO, ON or OFF), else to "". Only PATH is searched (not
# CMake's system prefixes), so that hiding ccache from PATH turns it off.
function(_wyn_toolchain_cache setting suite out_var)
  string(TOUPPER "${setting}" setting)
  _wyn_check_enum(TOOLCHAIN_CACHE "${setting}" AUTO ON OFF)
  set(${out_var} "" PARENT_SCOPE)
  if(setting STREQUAL "OFF")
    message(STATUS "wyn: ${suite}: toolchain cache off (WYN_TOOLCHAIN_CACHE=OFF)")
    return()
  endif()
  # Cross-compiling, the ccache on PATH is the build machine's, which the
  # target's tools cannot run (under Wine, no Linux program can be waited
  # for): AUTO leaves the cache off.
  if(CMAKE_CROSSCOMPILING AND setting STREQUAL "AUTO")
    message(STATUS "wyn: ${suite}: toolchain cache off (cross-compiling: no ccache of "
      "${CMAKE_SYSTEM_NAME} known; TOOLCHAIN_CACHE ON takes the one on PATH)")
    return()
  endif()
  find_program(ccache NAMES ccache NO_CACHE NO_PACKAGE_ROOT_PATH NO_CMAKE_PATH
    NO_CMAKE_ENVIRONMENT_PATH NO_CMAKE_SYSTEM_PATH NO_CMAKE_INSTALL_PREFIX)
  if(NOT ccache)
    if(setting STREQUAL "ON")
      message(FATAL_ERROR "wyn: ${suite}: TOOLCHAIN_CACHE (WYN_TOOLCHAIN_CACHE) is ON but ccache "
        "is not on PATH. Install it (Debian/Ubuntu: apt-get install ccache) or set it to AUTO or OFF.")
    endif()
    message(STATUS "wyn: ${suite}: toolchain cache off (ccache not found on PATH; "
      "apt-get install ccache turns it on)")
    return()
  endif()
  message(STATUS "wyn: ${suite}: toolchain cache on (${ccache}, ${WYN_COMPILE_CACHE_DIR}/toolchain)")
  set(${out_var} "${ccache}" PARENT_SCOPE)
endfunction()

# The toolchain cache of the calling function's suite (arg_TOOLCHAIN_CACHE,
# arg_NAME, `tools`), as members of the suite configuration in <config_var>.
macro(_wyn_toolchain_config config_var)
  _wyn_toolchain_cache("${arg_TOOLCHAIN_CACHE}" "${arg_NAME}" ccache)
  set(toolchain_dir "")
  set(cc_wrapper "")
  if(ccache)
    _wyn_exe(exe)
    if(NOT EXISTS "${tools}/bin/wyn-cc${exe}")
      message(FATAL_ERROR "wyn: ${tools}/bin/wyn-cc${exe} is missing (WYN_TOOLS_DIR=${WYN_TOOLS_DIR})")
    endif()
    set(toolchain_dir "${WYN_COMPILE_CACHE_DIR}/toolchain")
    set(cc_wrapper "${tools}/bin/wyn-cc${exe}")
  endif()
  _wyn_json_set(${config_var} STRING toolchain_cache_dir "${toolchain_dir}")
  _wyn_json_set(${config_var} STRING ccache "${ccache}")
  _wyn_json_set(${config_var} STRING cc_wrapper "${cc_wrapper}")
endmacro()

# Prints the line naming the compiler of `suite`: its path, the first line
# of its --version output and its command line, and sets <out_var> to that
# command line. `style` is legacy, build, or auto (from the version: the
# legacy command line ended with Wyn 1.6); `kind` is tests, for which an
# undetectable style is an error, or scripts, which run the compiler as
# they see fit.
function(_wyn_describe_compiler kind suite compiler style out_var)
  # One --version per compiler and configure step, however many suites use it.
  string(SHA1 key "${compiler}")
  get_property(known GLOBAL PROPERTY "_WYN_VERSION_RC_${key}" SET)
  if(known)
    get_property(rc GLOBAL PROPERTY "_WYN_VERSION_RC_${key}")
    get_property(version GLOBAL PROPERTY "_WYN_VERSION_${key}")
  else()
    # A program of the target, run as the tools that run it are.
    get_property(emulator GLOBAL PROPERTY _WYN_TOOLS_EMULATOR)
    execute_process(COMMAND ${emulator} "${compiler}" --version
      RESULT_VARIABLE rc OUTPUT_VARIABLE version ERROR_VARIABLE version TIMEOUT 60)
    string(ASCII 27 esc)
    string(REGEX REPLACE "${esc}\\[[0-9;]*[A-Za-z]" "" version "${version}")
    string(STRIP "${version}" version)
    string(REGEX REPLACE "\n.*" "" version "${version}")
    string(STRIP "${version}" version)
    set_property(GLOBAL PROPERTY "_WYN_VERSION_RC_${key}" "${rc}")
    set_property(GLOBAL PROPERTY "_WYN_VERSION_${key}" "${version}")
  endif()
  set(detected "")
  if(rc EQUAL 0 AND version MATCHES "v([0-9]+)\\.([0-9]+)")
    if(CMAKE_MATCH_1 EQUAL 0 OR (CMAKE_MATCH_1 EQUAL 1 AND CMAKE_MATCH_2 LESS_EQUAL 6))
      set(detected legacy)
    else()
      set(detected build)
    endif()
  endif()
  if(NOT style STREQUAL "auto")
    set(how "${style} command line (COMPILER_STYLE)")
  elseif(detected)
    set(style ${detected})
    set(how "${style} command line")
  elseif(kind STREQUAL "tests")
    message(FATAL_ERROR "wyn_add_tests: cannot tell the command line of ${compiler} from "
      "its --version output ('${version}', exit ${rc}); set COMPILER_STYLE or WYN_COMPILER_STYLE")
  else()
    set(how "command line unknown")
  endif()
  if(NOT rc EQUAL 0)
    set(version "--version failed: ${rc}")
  elseif(version STREQUAL "")
    set(version "--version printed nothing")
  endif()
  message(STATUS "wyn: suite ${suite}: ${compiler} (${version}; ${how})")
  set(${out_var} ${style} PARENT_SCOPE)
endfunction()

# Stops the configure step when the suite `suite` of `command` names no
# compiler, saying how to name one. There is no default: only wyn-ctest's own
# example build (its top-level CMakeLists.txt) defaults to the stand-in.
function(_wyn_no_compiler command suite)
  set(ways
    "-DWYN_COMPILER=/path/to/wyn" "on the cmake command line: every suite"
    "${command}(... COMPILER /path/to/wyn)" "in CMakeLists.txt: this suite"
    "set(WYN_COMPILER /path/to/wyn)" "in CMakeLists.txt: the suites after it"
    "set(WYN_COMPILER /path/to/wyn CACHE FILEPATH \"The Wyn compiler\")" "the same, as a default -D overrides")
  set(text "")
  while(ways)
    list(POP_FRONT ways code why)
    string(LENGTH "${code}" length)
    if(length LESS 46)
      math(EXPR length "46 - ${length}")
      string(REPEAT " " ${length} pad)
      string(APPEND text "  ${code}${pad}${why}\n")
    else()
      string(REPEAT " " 48 pad)
      string(APPEND text "  ${code}\n${pad}${why}\n")
    endif()
  endwhile()
  set(entry "")
  if(DEFINED CACHE{WYN_COMPILER})
    string(CONCAT entry "  WYN_COMPILER is in the cache, empty: a set(WYN_COMPILER ... CACHE FILEPATH \"\")\n"
      "  in CMakeLists.txt leaves it so.\n")
  endif()
  message(FATAL_ERROR "${command}: the suite '${suite}' has no Wyn compiler: neither its "
    "COMPILER argument nor WYN_COMPILER names one. Name it in one of these ways:\n${text}${entry}"
    "  set(... CACHE ...) never replaces an existing cache entry, even an empty one\n"
    "  (-DWYN_COMPILER=, an earlier configure): -D, a normal set() or FORCE does, as in\n"
    "  set(WYN_COMPILER /path/to/wyn CACHE FILEPATH \"\" FORCE).\n")
endfunction()

# Writes <build>/CTestCustom.cmake so that ctest runs the reporter before
# and after the tests. Deferred to the end of the top-level directory so it
# sees every suite.
function(_wyn_write_ctest_custom)
  # The reports wyn-report writes into <build>/wyn-report after every run
  # (docs/reports.md). Declared here, where they are used, rather than with
  # the per-suite settings: they concern the whole build.
  set(WYN_REPORT_FORMATS "junit;ctrf;markdown;trace;html" CACHE STRING
    "Reports written after every ctest run besides summary.json: junit, ctrf, markdown, trace, html")
  set(WYN_JUNIT_FLAVOR "default" CACHE STRING
    "junit.xml: default (Jenkins and GitLab extensions) or strict (Apache Ant JUnit.xsd)")
  set_property(CACHE WYN_JUNIT_FLAVOR PROPERTY STRINGS default strict)
  set(WYN_REPORT_OUTPUT_CAP "16384" CACHE STRING "Bytes of output per test kept in the reports")
  string(REPLACE "," ";" formats "${WYN_REPORT_FORMATS}")  # commas: easier on a command line

  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)
  get_property(suites GLOBAL PROPERTY _WYN_SUITE_BUILD_DIRS)
  # What the reporter reads (docs/suite-config.md). `wyn-report check`
  # validates it now, so that a bad setting stops the configure step rather
  # than the first ctest run; its message names the cache variable.
  set(config "${CMAKE_BINARY_DIR}/wyn/report.json")
  set(json "{}")
  _wyn_json_set(json NUMBER format 1)
  _wyn_json_set(json STRING report_dir "${CMAKE_BINARY_DIR}/wyn-report")
  _wyn_json_set(json STRING build_dir "${CMAKE_BINARY_DIR}")
  _wyn_json_set(json LIST suites "${suites}")
  _wyn_json_set(json LIST formats "${formats}")
  _wyn_json_set(json STRING junit_flavor "${WYN_JUNIT_FLAVOR}")
  _wyn_json_set(json NUMBER output_cap "${WYN_REPORT_OUTPUT_CAP}")
  _wyn_write_if_changed("${config}" "${json}\n")
  # Tools built as targets of this build (FetchContent) check it when the
  # reporter first runs instead.
  _wyn_tool_command(report report_command)
  _wyn_tool_path(report report_program)
  if(EXISTS "${report_program}")
    execute_process(COMMAND ${report_command} check "${config}"
      RESULT_VARIABLE rc ERROR_VARIABLE errors)
    if(NOT rc EQUAL 0)
      string(STRIP "${errors}" errors)
      message(FATAL_ERROR "wyn: the report settings have errors:\n  ${errors}\n")
    endif()
  endif()

  # CTest splits these commands on blanks, outside double quotes.
  set(report "")
  foreach(word IN LISTS report_command)
    string(APPEND report " \"${word}\"")
  endforeach()
  string(STRIP "${report}" report)
  set(custom "${CMAKE_BINARY_DIR}/CTestCustom.cmake")
  set(marker "# wyn-ctest: runs the Wyn test reporter around every ctest run.")
  # Tools built as targets of this build do not exist before its first build.
  set(content "${marker}
if(EXISTS [==[${report_program}]==])
list(APPEND CTEST_CUSTOM_PRE_TEST [==[${report} begin \"${config}\"]==])
list(APPEND CTEST_CUSTOM_POST_TEST [==[${report} end \"${config}\"]==])
endif()
")
  file(CONFIGURE OUTPUT "${CMAKE_BINARY_DIR}/wyn/CTestCustom-wyn.cmake" CONTENT "${content}")
  if(EXISTS "${custom}")
    file(STRINGS "${custom}" first LIMIT_COUNT 1)
    if(NOT first STREQUAL marker)
      message(WARNING "wyn: ${custom} exists and is not wyn-ctest's; add "
        "include(\"${CMAKE_BINARY_DIR}/wyn/CTestCustom-wyn.cmake\") to it for the test summary")
      return()
    endif()
  endif()
  file(CONFIGURE OUTPUT "${custom}" CONTENT "${content}")
endfunction()

# Sets <out_var> to <text> as a JSON string.
function(_wyn_json_quote out_var text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  if(text MATCHES "[^ -~]")
    # Control characters must be escaped; other bytes (UTF-8) stay as they are.
    foreach(code RANGE 1 31)
      string(ASCII ${code} char)
      math(EXPR high "${code} / 16")
      math(EXPR low "${code} % 16")
      string(SUBSTRING "0123456789abcdef" ${low} 1 low)
      string(REPLACE "${char}" "\\u00${high}${low}" text "${text}")
    endforeach()
  endif()
  set(${out_var} "\"${text}\"" PARENT_SCOPE)
endfunction()

# Appends <value> as a string to the JSON array in <array_var>.
function(_wyn_json_append array_var value)
  _wyn_json_quote(item "${value}")
  string(JSON length LENGTH "${${array_var}}")
  string(JSON array SET "${${array_var}}" ${length} "${item}")
  set(${array_var} "${array}" PARENT_SCOPE)
endfunction()

# Sets member <key> of the JSON object in <doc_var> to <value> as <type>:
# STRING; NUMBER (a number when it is written as one, else the text, so that
# the tool reading the file rejects it naming the setting); BOOL (true or
# false by CMake's truth); LIST (an array of the list's strings).
function(_wyn_json_set doc_var type key value)
  set(doc "${${doc_var}}")  # first: the names below could hide the caller's variable
  if(type STREQUAL "BOOL")
    set(json false)
    if(value)
      set(json true)
    endif()
  elseif(type STREQUAL "NUMBER" AND value MATCHES "^[0-9]+(\\.[0-9]+)?$")
    string(REGEX REPLACE "^0+([0-9])" "\\1" json "${value}")  # JSON has no leading zeros
  elseif(type STREQUAL "LIST")
    set(json "")
    foreach(item IN LISTS value)
      _wyn_json_quote(item "${item}")
      string(APPEND json ",${item}")
    endforeach()
    string(REGEX REPLACE "^," "" json "${json}")
    set(json "[${json}]")
  else()
    _wyn_json_quote(json "${value}")
  endif()
  string(JSON doc SET "${doc}" "${key}" "${json}")
  set(${doc_var} "${doc}" PARENT_SCOPE)
endfunction()

# Writes <content> to <file> unless it holds it already: an unchanged
# configure step must leave the build with nothing to do.
function(_wyn_write_if_changed file content)
  set(old "")
  if(EXISTS "${file}")
    file(READ "${file}" old)
  endif()
  if(NOT old STREQUAL content)
    file(WRITE "${file}" "${content}")
  endif()
endfunction()

# Sets the members of the suite configuration in <config_var> that every
# kind of suite shares: the launcher, the labels, the caches, the shard and
# the limits of each test program.
macro(_wyn_common_config config_var)
  _wyn_json_set(${config_var} NUMBER grace_seconds "${WYN_TIMEOUT_GRACE}")
  _wyn_tool_path(launch launch_program)
  get_property(emulator GLOBAL PROPERTY _WYN_TOOLS_EMULATOR)
  _wyn_json_set(${config_var} STRING launcher "${launch_program}")
  _wyn_json_set(${config_var} LIST emulator "${emulator}")
  _wyn_json_set(${config_var} LIST labels "${arg_LABELS}")
  _wyn_json_set(${config_var} BOOL result_cache "${WYN_RESULT_CACHE}")
  _wyn_json_set(${config_var} STRING shard "${WYN_SHARD}")
  _wyn_json_set(${config_var} STRING shard_durations "${WYN_SHARD_DURATIONS}")
  _wyn_json_set(${config_var} BOOL core_dumps "${WYN_CORE_DUMPS}")
  _wyn_json_set(${config_var} NUMBER memory_limit_mb "${WYN_MEMORY_LIMIT_MB}")
  _wyn_json_set(${config_var} NUMBER max_open_files "${WYN_MAX_OPEN_FILES}")
  _wyn_json_set(${config_var} NUMBER output_limit_mb "${WYN_OUTPUT_LIMIT_MB}")
  _wyn_json_set(${config_var} STRING leak_policy "${WYN_LEAK_POLICY}")
  _wyn_json_set(${config_var} NUMBER cpu_limit_seconds "${WYN_CPU_LIMIT}")
endmacro()

# Shared by wyn_add_tests and wyn_add_script_tests, in the caller's scope:
# registers the suite name arg_NAME (two suites with one name are an error
# naming both, the variable `where_var` holding this one's directory, or its
# scripts and arguments), sets suite_id and out (the suite's build
# directory), and resolves arg_COMPILER (which must be set: there is no
# default) to an existing absolute path. The text comes in a variable: a
# macro argument's value is parsed again, so `\` or `${` in a path would
# break it.
macro(_wyn_claim_suite command where_var)
  get_property(other GLOBAL PROPERTY "_WYN_SUITE_${arg_NAME}")
  if(other)
    message(FATAL_ERROR "${command}: two suites are named '${arg_NAME}': ${other} and ${${where_var}}; "
      "give one of them a NAME")
  endif()
  set_property(GLOBAL PROPERTY "_WYN_SUITE_${arg_NAME}" "${${where_var}}")
  _wyn_suite_id("${arg_NAME}" suite_id)
  set(out "${CMAKE_BINARY_DIR}/wyn/${suite_id}")

  if(NOT arg_COMPILER)
    _wyn_no_compiler(${command} "${arg_NAME}")
  endif()
  get_filename_component(arg_COMPILER "${arg_COMPILER}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${arg_COMPILER}" OR IS_DIRECTORY "${arg_COMPILER}")
    message(FATAL_ERROR "${command}: the compiler ${arg_COMPILER} does not exist")
  endif()
endmacro()

# KNOWN_FAILURES and KNOWN_FAILURES_STRICT of the calling function, as members
# of the suite configuration in <config_var>. The list is a configure
# dependency: editing it re-runs the scan.
macro(_wyn_known_failures_config command config_var)
  set(list_file "")
  if(arg_KNOWN_FAILURES)
    get_filename_component(list_file "${arg_KNOWN_FAILURES}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${list_file}" OR IS_DIRECTORY "${list_file}")
      message(FATAL_ERROR "${command}: the KNOWN_FAILURES list ${list_file} does not exist")
    endif()
    set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${list_file}")
  elseif(arg_KNOWN_FAILURES_STRICT)
    message(FATAL_ERROR "${command}: KNOWN_FAILURES_STRICT needs KNOWN_FAILURES")
  endif()
  _wyn_json_set(${config_var} STRING known_failures "${list_file}")
  _wyn_json_set(${config_var} BOOL known_failures_strict "${arg_KNOWN_FAILURES_STRICT}")
endmacro()

# Writes the suite configuration <config> to <out>/suite.json (when it
# changed) and runs `wyn-gen scan` on it: its errors, which name the argument
# or cache variable behind a bad value, stop the configure; its warnings (a
# known-failure list's bad lines) are shown, and its one-line account is a
# status message.
function(_wyn_run_scan command where config)
  _wyn_write_if_changed("${out}/suite.json" "${config}\n")
  _wyn_tool_command(gen gen_command)
  execute_process(COMMAND ${gen_command} scan "${out}/suite.json"
    RESULT_VARIABLE rc OUTPUT_VARIABLE account ERROR_VARIABLE errors)
  # Indented lines are printed as they are: CMake would re-wrap a plain
  # paragraph and split the file:line: message lines people search for.
  string(STRIP "${errors}" errors)
  string(REPLACE "\n" "\n  " errors "  ${errors}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${command}: the suite ${where} has errors:\n${errors}\n")
  endif()
  if(NOT errors STREQUAL "  ")
    # Problems of single files or list lines: the rest of the suite is registered.
    message(WARNING "${command}: the suite ${where} has problems:\n${errors}\n")
  endif()
  string(STRIP "${account}" account)
  message(STATUS "wyn: ${account}")
endfunction()

# Sets <out_var> to the suite's directory name under <build>/wyn: the name
# made an identifier, and a hash telling apart names that map to one.
function(_wyn_suite_id name out_var)
  string(MAKE_C_IDENTIFIER "${name}" id)
  string(SHA1 name_hash "${name}")
  string(SUBSTRING "${name_hash}" 0 8 name_hash)
  set(${out_var} "${id}-${name_hash}" PARENT_SCOPE)
endfunction()

# Registers the tests of a suite in the calling directory through
# `registration` (a file CTest includes), and its build directory `out` with
# the reporter, whose CTestCustom.cmake is written at the end of the configure.
function(_wyn_register_suite out registration)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${registration}")
  set_property(GLOBAL APPEND PROPERTY _WYN_SUITE_BUILD_DIRS "${out}")
  _wyn_defer_once(_wyn_write_ctest_custom)
endfunction()

# Calls `function` once, at the end of the top-level directory, when every
# suite is known.
function(_wyn_defer_once function)
  get_property(deferred GLOBAL PROPERTY "_WYN_DEFERRED_${function}")
  if(NOT deferred)
    set_property(GLOBAL PROPERTY "_WYN_DEFERRED_${function}" TRUE)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL ${function})
  endif()
endfunction()

# Sets <out_var> to `value` as a CMake bracket argument, with enough `=` that
# no text can close it early.
function(_wyn_bracket value out_var)
  set(eq "")
  string(FIND "${value}]" "]${eq}]" at)
  while(NOT at EQUAL -1)
    string(APPEND eq "=")
    string(FIND "${value}]" "]${eq}]" at)
  endwhile()
  set(${out_var} "[${eq}[${value}]${eq}]" PARENT_SCOPE)
endfunction()

# For a build whose wyn-ctest tools are targets of its own (wyn-ctest added
# with FetchContent or add_subdirectory): the tools do not exist yet when the
# suites are configured, so each call of `command` is recorded, with the
# caller's directory and the WYN_* variables it sees, into a project of its
# own (<build>/wyn/suites/CMakeLists.txt). The target wyn_suites configures
# and builds that project into <build>/wyn-suites once the tools are built.
# The calling directory registers the suite's tests (a placeholder test until
# the first build), and this build's ctest runs the reporter over them.
# `flags`, `values` and `lists` are the keywords the caller parsed into arg_*;
# a list keyword whose words the caller kept exactly, as a JSON array in
# arg_<KEYWORD>_JSON, is passed on from there.
function(_wyn_nest_suite command name registration flags values lists)
  get_property(other GLOBAL PROPERTY "_WYN_SUITE_${name}")
  if(other)
    message(FATAL_ERROR "${command}: two suites are named '${name}'; give one of them a NAME")
  endif()
  set_property(GLOBAL PROPERTY "_WYN_SUITE_${name}" "${CMAKE_CURRENT_SOURCE_DIR}")
  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)
  # A suite without a compiler is an error of this configure step, not of
  # the later one of the suites. A compiler that exists already is described
  # now too; one this build makes is checked when the suites are configured.
  set(compiler "${arg_COMPILER}")
  if(NOT DEFINED arg_COMPILER)
    set(compiler "${WYN_COMPILER}")
  endif()
  if(NOT compiler)
    _wyn_no_compiler(${command} "${name}")
  endif()
  get_filename_component(compiler "${compiler}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(EXISTS "${compiler}" AND NOT IS_DIRECTORY "${compiler}")
    set(style auto)
    set(kind scripts)
    if(command STREQUAL "wyn_add_tests")
      set(kind tests)
      if(DEFINED arg_COMPILER_STYLE)
        set(style "${arg_COMPILER_STYLE}")
      elseif(WYN_COMPILER_STYLE)
        set(style "${WYN_COMPILER_STYLE}")
      endif()
    endif()
    _wyn_describe_compiler(${kind} "${name}" "${compiler}" "${style}" style)
  else()
    message(STATUS "wyn: suite ${name}: ${compiler} (not there yet: checked when wyn_suites "
      "configures the suites)")
  endif()

  set(call "")
  foreach(keyword IN LISTS flags)
    if(arg_${keyword})
      string(APPEND call " ${keyword}")
    endif()
  endforeach()
  foreach(keyword IN LISTS values)
    if(DEFINED arg_${keyword})
      _wyn_bracket("${arg_${keyword}}" word)
      string(APPEND call " ${keyword} ${word}")
    endif()
  endforeach()
  foreach(keyword IN LISTS lists)
    if(DEFINED arg_${keyword}_JSON)
      # The caller kept this keyword's words exactly, as a JSON array.
      string(JSON count LENGTH "${arg_${keyword}_JSON}")
      if(count GREATER 0)
        string(APPEND call " ${keyword}")
        math(EXPR last "${count} - 1")
        foreach(i RANGE ${last})
          string(JSON word GET "${arg_${keyword}_JSON}" ${i})
          _wyn_bracket("${word}" word)
          string(APPEND call " ${word}")
        endforeach()
      endif()
    elseif(DEFINED arg_${keyword})
      string(APPEND call " ${keyword}")
      foreach(word IN LISTS arg_${keyword})
        _wyn_bracket("${word}" word)
        string(APPEND call " ${word}")
      endforeach()
    endif()
  endforeach()
  # Relative paths are resolved against CMAKE_CURRENT_SOURCE_DIR, and the
  # defaults are read from the WYN_* variables: both as the caller sees them.
  set(settings "CMAKE_CURRENT_SOURCE_DIR")
  get_cmake_property(variables VARIABLES)
  list(FILTER variables INCLUDE REGEX "^WYN_")
  list(REMOVE_ITEM variables WYN_TOOLS_DIR)
  list(APPEND settings ${variables})
  set(block "block()\n")
  foreach(variable IN LISTS settings)
    _wyn_bracket("${${variable}}" value)
    string(APPEND block "  set(${variable} ${value})\n")
  endforeach()
  _wyn_bracket("${tools}" value)
  string(STRIP "${call}" call)
  string(APPEND block "  set(WYN_TOOLS_DIR ${value})\n  ${command}(${call})\nendblock()\n")
  set_property(GLOBAL APPEND_STRING PROPERTY _WYN_NESTED_CALLS "${block}")

  _wyn_suite_id("${name}" suite_id)
  set(out "${CMAKE_BINARY_DIR}/wyn-suites/wyn/${suite_id}")
  _wyn_bracket("${out}/${registration}" file)
  _wyn_bracket("${name}/NOT_BUILT" placeholder)
  _wyn_bracket("${name}" quoted_name)
  # Not file(CONFIGURE): it would expand ${...} and @...@ inside the
  # bracket-quoted values a second time.
  _wyn_write_if_changed("${CMAKE_BINARY_DIR}/wyn/nested-${suite_id}.cmake" "\
if(EXISTS ${file})
  include(${file})
else()
  add_test(${placeholder} [==[${tools}/bin/wyn-launch]==] --not-built ${quoted_name})
endif()
")
  _wyn_register_suite("${out}" "${CMAKE_BINARY_DIR}/wyn/nested-${suite_id}.cmake")
  _wyn_defer_once(_wyn_write_nested_project)
endfunction()

# Writes the project of the recorded suites and the target wyn_suites, which
# configures it (again when it or the generator changed) and builds it, after
# the tools. Deferred to the end of the top-level directory to see every suite.
function(_wyn_write_nested_project)
  get_property(calls GLOBAL PROPERTY _WYN_NESTED_CALLS)
  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)
  set(src "${CMAKE_BINARY_DIR}/wyn/suites")
  set(bin "${CMAKE_BINARY_DIR}/wyn-suites")
  _wyn_bracket("${CMAKE_CURRENT_FUNCTION_LIST_FILE}" module)
  # Not file(CONFIGURE), which would expand ${...} and @...@ in the
  # recorded arguments.
  _wyn_write_if_changed("${src}/CMakeLists.txt" "\
# Written by WynTests.cmake: the Wyn test suites of ${CMAKE_SOURCE_DIR},
# configured by the target wyn_suites once the wyn-ctest tools are built.
cmake_minimum_required(VERSION 3.25)
project(wyn_suites NONE)
include(${module})
${calls}")
  set(configure "${CMAKE_COMMAND}" -S "${src}" -B "${bin}" -G Ninja)
  if(CMAKE_MAKE_PROGRAM)
    list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}")
  endif()
  add_custom_command(OUTPUT "${bin}/configured.stamp"
    COMMAND ${configure}
    COMMAND "${CMAKE_COMMAND}" -E touch "${bin}/configured.stamp"
    DEPENDS "${src}/CMakeLists.txt" "${tools}/bin/wyn-gen"
    COMMENT "Configuring the Wyn test suites"
    VERBATIM)
  add_custom_target(wyn_suites ALL
    COMMAND "${CMAKE_COMMAND}" --build "${bin}"
    DEPENDS "${bin}/configured.stamp"
    COMMENT "Building the Wyn test suites"
    USES_TERMINAL
    VERBATIM)
  add_dependencies(wyn_suites wyn_tools)
endfunction()

function(wyn_add_tests)
  set(flags "STRICT_BUILD;KNOWN_FAILURES_STRICT")
  set(values "DIRECTORY;NAME;TIMEOUT;EXIT_CODE;NO_EXPECT;COMPILER;COMPILER_STYLE;WYN_ROOT;TOOLCHAIN_CACHE;SNAPSHOT;SNAPSHOT_SUFFIX;KNOWN_FAILURES;WORKING_DIRECTORY")
  set(lists "LABELS;COMPILER_LAUNCHER;COMPILE_ARGS;SNAPSHOT_FILTERS")
  cmake_parse_arguments(PARSE_ARGV 0 arg "${flags}" "${values}" "${lists}")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wyn_add_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_DIRECTORY)
    message(FATAL_ERROR "wyn_add_tests: DIRECTORY is required")
  endif()
  # The words of SNAPSHOT_FILTERS exactly as written, as a JSON array: a
  # regular expression may hold `;` or an unpaired `[`, which a CMake list
  # would split or join, so each ARGV<i> is read on its own.
  set(arg_SNAPSHOT_FILTERS_JSON "[]")
  set(keyword "")
  set(i 0)
  while(i LESS ARGC)
    set(word "${ARGV${i}}")
    math(EXPR i "${i} + 1")
    if(word IN_LIST flags OR word IN_LIST values OR word IN_LIST lists)
      set(keyword "${word}")
    elseif(keyword STREQUAL "SNAPSHOT_FILTERS")
      _wyn_json_append(arg_SNAPSHOT_FILTERS_JSON "${word}")
    endif()
  endwhile()
  get_filename_component(root "${arg_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT IS_DIRECTORY "${root}")
    message(FATAL_ERROR "wyn_add_tests: DIRECTORY ${root} is not a directory")
  endif()
  # The compile steps share a Ninja job pool (WYN_COMPILE_JOBS) and write
  # depfiles as Ninja reads them; other generators have neither.
  if(NOT CMAKE_GENERATOR STREQUAL "Ninja")
    message(FATAL_ERROR "wyn_add_tests: Wyn test suites need the Ninja generator "
      "(cmake -G Ninja); this build uses '${CMAKE_GENERATOR}'")
  endif()
  _wyn_ensure_tools()
  get_property(nested GLOBAL PROPERTY _WYN_NESTED)
  if(nested)
    set(name "${arg_NAME}")
    if(NOT name)
      get_filename_component(name "${root}" NAME)
    endif()
    _wyn_nest_suite(wyn_add_tests "${name}" ctest-include.cmake "${flags}" "${values}" "${lists}")
    return()
  endif()

  foreach(option EXIT_CODE NO_EXPECT COMPILER COMPILER_STYLE COMPILER_LAUNCHER TOOLCHAIN_CACHE)
    if(NOT DEFINED arg_${option})
      set(arg_${option} "${WYN_${option}}")
    endif()
  endforeach()
  if(NOT DEFINED arg_WYN_ROOT)
    set(arg_WYN_ROOT "${WYN_ROOT}")
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT "${WYN_TEST_TIMEOUT}")
  endif()
  if(NOT arg_STRICT_BUILD AND WYN_STRICT_BUILD)
    set(arg_STRICT_BUILD TRUE)
  endif()
  # The values are checked by wyn-gen when it reads the suite configuration.
  if(DEFINED arg_SNAPSHOT)
    if(NOT arg_SNAPSHOT_SUFFIX)
      if(arg_SNAPSHOT STREQUAL "GENERATED_C")
        set(arg_SNAPSHOT_SUFFIX ".c.golden")
      else()
        set(arg_SNAPSHOT_SUFFIX ".out.golden")
      endif()
    endif()
  elseif(DEFINED arg_SNAPSHOT_SUFFIX)
    message(FATAL_ERROR "wyn_add_tests: SNAPSHOT_SUFFIX needs SNAPSHOT GENERATED_C or OUTPUT")
  endif()

  _wyn_ensure_tools()
  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)

  # The suite name and the directories of both suites must appear in the error.
  if(NOT arg_NAME)
    get_filename_component(arg_NAME "${root}" NAME)
  endif()
  _wyn_claim_suite(wyn_add_tests root)
  _wyn_describe_compiler(tests "${arg_NAME}" "${arg_COMPILER}" "${arg_COMPILER_STYLE}" arg_COMPILER_STYLE)
  if(arg_COMPILER_STYLE STREQUAL "legacy" AND NOT arg_WYN_ROOT)
    get_filename_component(arg_WYN_ROOT "${arg_COMPILER}" DIRECTORY)
  endif()

  # Everything the tools need to know of the suite (docs/suite-config.md).
  set(config "{}")
  _wyn_json_set(config NUMBER format 1)
  _wyn_json_set(config STRING kind wyn)
  _wyn_json_set(config STRING name "${arg_NAME}")
  _wyn_json_set(config STRING root "${root}")
  _wyn_json_set(config STRING build_dir "${out}")
  _wyn_json_set(config STRING compiler "${arg_COMPILER}")
  _wyn_json_set(config STRING compiler_style "${arg_COMPILER_STYLE}")
  if(arg_WYN_ROOT)
    get_filename_component(arg_WYN_ROOT "${arg_WYN_ROOT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  _wyn_json_set(config STRING wyn_root "${arg_WYN_ROOT}")
  _wyn_json_set(config LIST compiler_launcher "${arg_COMPILER_LAUNCHER}")
  _wyn_json_set(config STRING exit_code "${arg_EXIT_CODE}")
  _wyn_json_set(config STRING no_expect "${arg_NO_EXPECT}")
  _wyn_json_set(config NUMBER timeout_seconds "${arg_TIMEOUT}")
  _wyn_json_set(config NUMBER compile_timeout_seconds "${WYN_COMPILE_TIMEOUT}")
  _wyn_json_set(config BOOL strict_build "${arg_STRICT_BUILD}")
  # Paths inside these trees enter compile cache keys relative to them.
  _wyn_json_set(config STRING source_tree "${CMAKE_SOURCE_DIR}")
  _wyn_json_set(config STRING build_tree "${CMAKE_BINARY_DIR}")
  set(cache_dir "")
  set(remote "")
  if(WYN_COMPILE_CACHE)
    set(cache_dir "${WYN_COMPILE_CACHE_DIR}")
    set(remote "${WYN_REMOTE_CACHE}")
  endif()
  _wyn_json_set(config STRING compile_cache_dir "${cache_dir}")
  _wyn_json_set(config STRING remote_cache "${remote}")
  _wyn_json_set(config STRING remote_cache_mode "${WYN_REMOTE_CACHE_MODE}")
  _wyn_toolchain_config(config)
  _wyn_common_config(config)
  if(DEFINED arg_SNAPSHOT)
    _wyn_json_set(config STRING snapshot "${arg_SNAPSHOT}")
    _wyn_json_set(config STRING snapshot_suffix "${arg_SNAPSHOT_SUFFIX}")
  endif()
  string(JSON filter_count LENGTH "${arg_SNAPSHOT_FILTERS_JSON}")
  if(filter_count GREATER 0)
    string(JSON config SET "${config}" snapshot_filters "${arg_SNAPSHOT_FILTERS_JSON}")
  endif()
  _wyn_json_set(config LIST compile_args "${arg_COMPILE_ARGS}")
  _wyn_known_failures_config(wyn_add_tests config)
  # Written only when given, so that the suite.json of every other suite
  # stays as it was.
  if(arg_WORKING_DIRECTORY)
    get_filename_component(cwd "${arg_WORKING_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${cwd}")
      message(FATAL_ERROR "wyn_add_tests: the WORKING_DIRECTORY ${cwd} of suite '${arg_NAME}' "
        "is not a directory")
    endif()
    _wyn_json_set(config STRING working_directory "${cwd}")
  endif()
  _wyn_run_scan(wyn_add_tests "${root}" "${config}")

  # One compile step per file. ids.cmake holds only names wyn-gen made of
  # [A-Za-z0-9._-], bracket-quoted: no file name reaches CMake code.
  include("${out}/ids.cmake")
  # The compiler reads environment variables (PATH, CC, WYN_ROOT...) that
  # Ninja cannot see. As CMake does with CC, they are captured here, at
  # configure time, into compile.env (rewritten only when one changed); every
  # compile step depends on it and runs the compiler with those values. A
  # changed variable takes effect when cmake runs again (docs/caching.md).
  _wyn_tool_command(compile compile_command)
  _wyn_tool_path(compile compile_program)
  _wyn_tool_command(gen gen_command)
  _wyn_tool_path(gen gen_program)
  execute_process(COMMAND ${compile_command} --capture-environment "${out}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "wyn_add_tests: cannot record the compiler's environment in ${out}/compile.env")
  endif()
  # wyn-compile writes its depfile as Ninja names things (relative to the top
  # build directory, its working directory), so CMake need not rewrite it:
  # with CMP0116 NEW, every compile step would run `cmake -E
  # cmake_transform_depfile` too, a process costing several times the step.
  cmake_policy(PUSH)
  cmake_policy(SET CMP0116 OLD)
  foreach(id IN LISTS _wyn_ids)
    set(dir "${out}/t/${id}")
    add_custom_command(OUTPUT "${dir}/compile.json"
      COMMAND ${compile_command} "${dir}"
      DEPENDS "${dir}/test.json" "${out}/compile.key" "${out}/compile.env" "${compile_program}"
      DEPFILE "${dir}/compile.d"
      WORKING_DIRECTORY "${CMAKE_BINARY_DIR}"
      JOB_POOL wyn_compile
      COMMENT "Compiling Wyn test ${arg_NAME}: ${id}"
      VERBATIM)
  endforeach()
  cmake_policy(POP)
  # Not list(APPEND) in the loop: it copies the whole list each time, which
  # made configuring 10,000 tests take minutes. list(TRANSFORM) is linear.
  set(records ${_wyn_ids})
  list(TRANSFORM records PREPEND "${out}/t/")
  list(TRANSFORM records APPEND "/compile.json")
  add_custom_command(OUTPUT "${out}/ctest-tests.cmake"
    COMMAND ${gen_command} register "${out}"
    DEPENDS ${records} "${out}/manifest.json" "${out}/suite.json" "${gen_program}"
    COMMENT "Registering the Wyn tests of suite ${arg_NAME}"
    VERBATIM)
  # Adding, removing or renaming a .wyn file must re-run the scan, editing
  # one must not. Ninja watches the suite's directories (through the links
  # the scan made); when one changes, `wyn-gen check` rewrites fileset.stamp
  # only if the set of files changed, and the stamp is a configure
  # dependency. Unlike a CONFIGURE_DEPENDS glob, this runs nothing on a no-op build.
  add_custom_command(OUTPUT "${out}/fileset.stamp"
    COMMAND ${gen_command} check "${out}"
    DEPENDS ${_wyn_dir_deps}
    COMMENT "Checking the Wyn suite ${arg_NAME} for added or removed files"
    VERBATIM)
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${out}/fileset.stamp")
  add_custom_target("wyn_suite_${suite_id}" ALL
    DEPENDS "${out}/ctest-tests.cmake" "${out}/fileset.stamp")

  # Before the first build there is no registration: a placeholder test says so.
  _wyn_tool_command(launch launch_command)
  set(launch "")
  foreach(word IN LISTS launch_command)
    string(APPEND launch " [==[${word}]==]")
  endforeach()
  file(CONFIGURE OUTPUT "${out}/ctest-include.cmake" CONTENT "\
if(EXISTS [==[${out}/ctest-tests.cmake]==])
  include([==[${out}/ctest-tests.cmake]==])
else()
  add_test([==[${arg_NAME}/NOT_BUILT]==]${launch} --not-built [==[${arg_NAME}]==])
endif()
")
  _wyn_register_suite("${out}" "${out}/ctest-include.cmake")
endfunction()

function(wyn_add_script_tests)
  set(flags "KNOWN_FAILURES_STRICT")
  set(values "NAME;WORKING_DIRECTORY;TIMEOUT;COMPILER;KNOWN_FAILURES;TOOLCHAIN_CACHE")
  set(lists "GLOB;SCRIPT;ARGS;ENV;LABELS")
  cmake_parse_arguments(PARSE_ARGV 0 arg "${flags}" "${values}" "${lists}")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wyn_add_script_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  # The words of SCRIPT and ARGS exactly as written, as JSON arrays: in a
  # CMake list a word holding `;` would become two and an unmatched `[`
  # would join words, so each ARGV<i> is read on its own.
  set(arg_SCRIPT_JSON "[]")
  set(arg_ARGS_JSON "[]")
  set(keyword "")
  set(i 0)
  while(i LESS ARGC)
    set(word "${ARGV${i}}")
    math(EXPR i "${i} + 1")
    if(word IN_LIST flags OR word IN_LIST values OR word IN_LIST lists)
      set(keyword "${word}")
    elseif(keyword STREQUAL "SCRIPT" OR keyword STREQUAL "ARGS")
      _wyn_json_append(arg_${keyword}_JSON "${word}")
    endif()
  endwhile()
  string(JSON script_count LENGTH "${arg_SCRIPT_JSON}")
  if(NOT arg_GLOB AND script_count EQUAL 0)
    message(FATAL_ERROR "wyn_add_script_tests: GLOB or SCRIPT is required")
  endif()
  set(patterns "")
  foreach(pattern IN LISTS arg_GLOB)
    get_filename_component(pattern "${pattern}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND patterns "${pattern}")
  endforeach()
  set(scripts "")
  if(patterns)
    file(GLOB scripts LIST_DIRECTORIES false ${patterns})
    list(SORT scripts)
    if(NOT scripts)
      message(FATAL_ERROR "wyn_add_script_tests: no file matches ${arg_GLOB}")
    endif()
  endif()
  # Every script, absolute: the GLOB's matches in order, then SCRIPT's files.
  set(scripts_json "[]")
  foreach(script IN LISTS scripts)
    _wyn_json_append(scripts_json "${script}")
  endforeach()
  set(where "${arg_GLOB}")
  if(script_count GREATER 0)
    math(EXPR last "${script_count} - 1")
    foreach(i RANGE ${last})
      string(JSON script GET "${arg_SCRIPT_JSON}" ${i})
      string(APPEND where " ${script}")
      get_filename_component(script "${script}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      if(NOT EXISTS "${script}" OR IS_DIRECTORY "${script}")
        message(FATAL_ERROR "wyn_add_script_tests: the SCRIPT ${script} does not exist")
      endif()
      _wyn_json_append(scripts_json "${script}")
    endforeach()
  endif()
  string(JSON args_count LENGTH "${arg_ARGS_JSON}")
  if(args_count GREATER 0)
    string(APPEND where " ARGS")
    math(EXPR last "${args_count} - 1")
    foreach(i RANGE ${last})
      string(JSON word GET "${arg_ARGS_JSON}" ${i})
      string(APPEND where " ${word}")
    endforeach()
  endif()
  string(STRIP "${where}" where)
  if(NOT arg_NAME)
    string(JSON first GET "${scripts_json}" 0)
    get_filename_component(first_dir "${first}" DIRECTORY)
    get_filename_component(arg_NAME "${first_dir}" NAME)
  endif()
  _wyn_ensure_tools()
  get_property(nested GLOBAL PROPERTY _WYN_NESTED)
  if(nested)
    _wyn_nest_suite(wyn_add_script_tests "${arg_NAME}" ctest-tests.cmake "${flags}" "${values}" "${lists}")
    return()
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  if(NOT DEFINED arg_COMPILER)
    set(arg_COMPILER "${WYN_COMPILER}")
  endif()
  if(NOT DEFINED arg_TOOLCHAIN_CACHE)
    set(arg_TOOLCHAIN_CACHE "${WYN_TOOLCHAIN_CACHE}")
  endif()

  _wyn_ensure_tools()
  get_property(tools GLOBAL PROPERTY _WYN_TOOLS)
  _wyn_claim_suite(wyn_add_script_tests where)
  _wyn_describe_compiler(scripts "${arg_NAME}" "${arg_COMPILER}" auto style)

  # Everything the tools need to know of the suite (docs/suite-config.md).
  set(config "{}")
  _wyn_json_set(config NUMBER format 1)
  _wyn_json_set(config STRING kind script)
  _wyn_json_set(config STRING name "${arg_NAME}")
  _wyn_json_set(config STRING root "${CMAKE_CURRENT_SOURCE_DIR}")
  _wyn_json_set(config STRING build_dir "${out}")
  _wyn_json_set(config STRING compiler "${arg_COMPILER}")
  _wyn_json_set(config NUMBER timeout_seconds "${arg_TIMEOUT}")
  set(cwd "")
  if(arg_WORKING_DIRECTORY)
    get_filename_component(cwd "${arg_WORKING_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  _wyn_json_set(config STRING working_directory "${cwd}")
  _wyn_json_set(config LIST env "${arg_ENV}")
  string(JSON config SET "${config}" args "${arg_ARGS_JSON}")
  _wyn_toolchain_config(config)
  _wyn_common_config(config)
  _wyn_known_failures_config(wyn_add_script_tests config)
  string(JSON config SET "${config}" scripts "${scripts_json}")
  _wyn_run_scan(wyn_add_script_tests "${where}" "${config}")

  # Nothing to build: the registration exists now. A script added to or
  # removed from a globbed directory re-runs the configure step, as the
  # directories are configure dependencies (an edited script needs nothing).
  set(dirs "")
  foreach(script IN LISTS scripts)
    get_filename_component(dir "${script}" DIRECTORY)
    list(APPEND dirs "${dir}")
  endforeach()
  if(dirs)
    list(REMOVE_DUPLICATES dirs)
    set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${dirs})
  endif()
  _wyn_register_suite("${out}" "${out}/ctest-tests.cmake")
endfunction()

cmake_policy(POP)
