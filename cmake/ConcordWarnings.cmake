# Warning flags live on an INTERFACE target so they apply to project code only.
add_library(concord_warnings INTERFACE)
target_compile_options(concord_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wimplicit-fallthrough -Wvla -Wformat=2 -Wundef
  $<$<CXX_COMPILER_ID:GNU>:-Wsuggest-override>
  $<$<CXX_COMPILER_ID:Clang>:-Wsuggest-override -Wthread-safety>)

# Hardening (on by default; CONCORD_HARDENING=OFF turns it off). Each flag is probed: one the
# compiler or linker does not take is reported, and with warnings as errors (the CI presets) the
# configuration stops, so a build is never less hardened than it says without anyone noticing.
add_library(concord_hardening INTERFACE)
if(CONCORD_HARDENING)
  include(CheckCXXCompilerFlag)
  include(CheckLinkerFlag)
  set(concord_missing_hardening "")
  foreach(flag -fstack-protector-all -fstack-clash-protection -fcf-protection=full -fPIE)
    string(MAKE_C_IDENTIFIER "CONCORD_CXX_HAS${flag}" have)
    check_cxx_compiler_flag(${flag} ${have})
    if(${have})
      target_compile_options(concord_hardening INTERFACE ${flag})
    else()
      list(APPEND concord_missing_hardening ${flag})
    endif()
  endforeach()
  foreach(flag -z,relro -z,now)
    string(MAKE_C_IDENTIFIER "CONCORD_LD_HAS${flag}" have)
    check_linker_flag(CXX "LINKER:${flag}" ${have})
    if(${have})
      target_link_options(concord_hardening INTERFACE "LINKER:${flag}")
    else()
      list(APPEND concord_missing_hardening "-Wl,${flag}")
    endif()
  endforeach()
  check_linker_flag(CXX -pie CONCORD_LD_HAS_PIE)
  if(CONCORD_LD_HAS_PIE)
    target_link_options(concord_hardening INTERFACE -pie)
  else()
    list(APPEND concord_missing_hardening -pie)
  endif()
  # _FORTIFY_SOURCE needs the optimiser (glibc warns, and with -Werror fails, at -O0), so Debug
  # builds go without it; level 3 needs GCC >= 12 or clang >= 9 with glibc >= 2.34.
  target_compile_options(concord_hardening INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3>)
  if(concord_missing_hardening)
    set(concord_hardening_report
      "hardening flags not supported by ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}: "
      "${concord_missing_hardening} (CONCORD_HARDENING=OFF builds without hardening)")
    if(CMAKE_COMPILE_WARNING_AS_ERROR)
      message(FATAL_ERROR ${concord_hardening_report})
    else()
      message(WARNING ${concord_hardening_report})
    endif()
  endif()
endif()
