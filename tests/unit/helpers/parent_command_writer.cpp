// Writes what parent_command() reads of this process's parent to the file
// named by its argument: the program, then each argument, a line each. Run
// as the child of a shell by Subprocess.ParentCommandIsTheParents.
#include <fstream>

#include "process/subprocess.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const wyn::ParentCommand parent = wyn::parent_command();
  std::ofstream file(argv[1]);
  file << parent.program << "\n";
  for (const std::string& arg : parent.argv) file << arg << "\n";
  return file ? 0 : 1;
}
