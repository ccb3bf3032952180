#===- test/fuzz/Sanitizers.cmake - ASan/UBSan and libFuzzer builds --------===#
# Included by the top-level CMakeLists.txt after runtime/ and before
# dialects/; anvil_sanitizers_end() is called after tools/. The flags apply
# to Anvil's compiler and tools (dialects, passes, compiler, codegen, tools),
# not to the runtime archive (linked by clang++ into every generated model,
# into libraries and apps that carry no sanitizer runtime) and not to test/
# (test/unit chooses ASan, LSan or TSan per suite itself, and ASan and TSan
# do not mix); test/fuzz applies them to its harnesses explicitly.
#
#   -DANVIL_SANITIZE=address,undefined   build-sanitize/ (tools/check.sh --sanitize)
#   -DANVIL_ENABLE_FUZZERS=ON            build-fuzz/ with clang++-22 (test/fuzz/run.sh)
#
# The sanitizer build is -O1 (after the build type's -O3): faster to build,
# exact stacks. UBSan's vptr check is off in both: libMLIR.so is built
# without RTTI, so the check cannot see the dynamic types of MLIR's classes.
#===----------------------------------------------------------------------===#
set(ANVIL_SANITIZE "" CACHE STRING
    "Comma-separated -fsanitize= values for Anvil's own code (e.g. address,undefined)")
option(ANVIL_ENABLE_FUZZERS
       "Build the libFuzzer harnesses of test/fuzz (needs clang++ as CMAKE_CXX_COMPILER)" OFF)

set(ANVIL_SANITIZER_COMPILE_FLAGS)
set(ANVIL_SANITIZER_LINK_FLAGS)
if(ANVIL_ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ANVIL_ENABLE_FUZZERS needs clang++ "
                        "(-DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_C_COMPILER=clang-22)")
  endif()
  # Coverage for libFuzzer on every Anvil object; libFuzzer's main is linked
  # into the harnesses only (test/fuzz/CMakeLists.txt). Asserts on (-UNDEBUG):
  # a failed assert is a finding, not undefined behaviour.
  # -Wno-deprecated-declarations: clang 22 flags libstdc++ 12's own use of
  # std::get_temporary_buffer inside std::stable_sort (the g++ builds still
  # report Anvil's deprecated calls).
  set(ANVIL_FUZZ_SANITIZERS address,undefined)
  if(ANVIL_SANITIZE)
    set(ANVIL_FUZZ_SANITIZERS ${ANVIL_SANITIZE})
  endif()
  set(ANVIL_SANITIZER_COMPILE_FLAGS
      -fsanitize=fuzzer-no-link,${ANVIL_FUZZ_SANITIZERS}
      -fno-sanitize=vptr -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -gline-tables-only -UNDEBUG
      -Wno-deprecated-declarations)
  set(ANVIL_SANITIZER_LINK_FLAGS -fsanitize=${ANVIL_FUZZ_SANITIZERS}
      -fno-sanitize=vptr)
elseif(ANVIL_SANITIZE)
  set(ANVIL_SANITIZER_COMPILE_FLAGS -fsanitize=${ANVIL_SANITIZE}
      -fno-sanitize=vptr -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -g1 -O1)
  set(ANVIL_SANITIZER_LINK_FLAGS -fsanitize=${ANVIL_SANITIZE}
      -fno-sanitize=vptr)
endif()

# Directory-wide from here on (subdirectories inherit the options they see
# when they are added), until anvil_sanitizers_end().
get_directory_property(ANVIL_COMPILE_OPTIONS_BEFORE_SANITIZERS COMPILE_OPTIONS)
get_directory_property(ANVIL_LINK_OPTIONS_BEFORE_SANITIZERS LINK_OPTIONS)
add_compile_options(${ANVIL_SANITIZER_COMPILE_FLAGS})
add_link_options(${ANVIL_SANITIZER_LINK_FLAGS})

macro(anvil_sanitizers_end)
  set_directory_properties(PROPERTIES
    COMPILE_OPTIONS "${ANVIL_COMPILE_OPTIONS_BEFORE_SANITIZERS}"
    LINK_OPTIONS "${ANVIL_LINK_OPTIONS_BEFORE_SANITIZERS}")
endmacro()
