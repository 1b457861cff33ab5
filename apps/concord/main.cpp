// concord: the command-line tool. Parses arguments and runs; everything else is in libs/cli.
#include <iostream>
#include <string>
#include <vector>

#include "concord/cli/cli.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    return concord::cli::Run(args, std::cin, std::cout, std::cerr);
}
