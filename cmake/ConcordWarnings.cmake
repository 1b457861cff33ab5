# Warning flags live on an INTERFACE target so they apply to project code only.
add_library(concord_warnings INTERFACE)
target_compile_options(concord_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wimplicit-fallthrough -Wvla -Wformat=2 -Wundef
  $<$<CXX_COMPILER_ID:GNU>:-Wsuggest-override>
  $<$<CXX_COMPILER_ID:Clang>:-Wsuggest-override -Wthread-safety>)

add_library(concord_hardening INTERFACE)
if(CONCORD_HARDENING)
  target_compile_options(concord_hardening INTERFACE
    -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-all -fstack-clash-protection
    -fcf-protection=full -fPIE)
  target_link_options(concord_hardening INTERFACE -Wl,-z,relro -Wl,-z,now -pie)
endif()
