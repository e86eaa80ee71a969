#pragma once
// How wyn-cc reads a C compiler command line: which commands it may split
// into one compile per source plus one link, and which it must pass through
// to the real compiler untouched. Pure: no file system, no environment.
//
// Only what is fully understood is split. A command compiling several `.c`
// files and linking them (the legacy Wyn link, `clang -o T.out T.o
// $WYN_ROOT/src/*.c -lm`, and the build generation's `cc ... -o OUT
// name.wyn.c libwyn_rt.a -lpthread -lm`) becomes, for each source in order,
// `CC <compile flags> -c SOURCE -o OBJECT`, then `CC <link arguments>` with
// each source replaced by its object at its own place. Any flag not in the
// tables of cc_command.cpp, `-x`, `-c`, `-E`, `-S`, `-M*`, `@file`, `-`,
// and inputs of unknown kind make the whole command a pass-through.

#include <string>
#include <vector>

namespace wyn {

/// One argument of the link command: literal text, or the object of a source.
struct LinkArg {
  std::string text;  ///< the argument as given (for a source: the source path)
  int source = -1;   ///< index into CcPlan::sources, or -1 for a literal argument
};

/// What wyn-cc does with one command.
struct CcPlan {
  bool split = false;  ///< false: run the real compiler with the arguments unchanged
  std::string reason;  ///< why not split, for people (empty when split)
  std::vector<std::string> compile_flags;  ///< given to every source compile, in order
  std::vector<std::string> sources;        ///< the `.c` inputs, in order
  std::vector<LinkArg> link;               ///< the link command's arguments, in order
};

/// Classifies `args`, the command line without the program name.
CcPlan plan_cc_command(const std::vector<std::string>& args);

/// The arguments (without the program) compiling source `i` of `plan` to `object`.
std::vector<std::string> compile_arguments(const CcPlan& plan, size_t i, const std::string& object);

/// The link arguments (without the program), each source replaced by `objects[i]`.
std::vector<std::string> link_arguments(const CcPlan& plan,
                                        const std::vector<std::string>& objects);

}  // namespace wyn
