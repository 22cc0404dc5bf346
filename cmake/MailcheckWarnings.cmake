# SPDX-License-Identifier: MIT
# One place for warnings and instrumentation flags (doc/architecture.md).
function(mailcheck_target_options target)
  # POSIX.1-2008 (open_memstream, strnlen, mkstemp, clock_gettime) on top of C11.
  target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
    -Wmissing-prototypes -Wvla -Wcast-qual -Wwrite-strings -Wnull-dereference
    -Wconversion -Wsign-conversion -Wimplicit-fallthrough -Wundef
    -Wno-unused-parameter)
  if(MAILCHECK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(MAILCHECK_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(MAILCHECK_FUZZ)
    # Coverage for libFuzzer in every object, ASan+UBSan everywhere.
    target_compile_options(${target} PRIVATE
      -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(MAILCHECK_COVERAGE)
    target_compile_options(${target} PRIVATE --coverage)
    target_link_options(${target} PRIVATE --coverage)
  endif()
endfunction()
