# SPDX-License-Identifier: MIT
# One place for warnings and instrumentation flags (STYLE.md, "CMake").
function(mailcheck_target_options target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
    -Wmissing-prototypes -Wvla -Wcast-qual -Wwrite-strings -Wnull-dereference
    -Wno-unused-parameter)
  if(MAILCHECK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(MAILCHECK_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(MAILCHECK_COVERAGE)
    target_compile_options(${target} PRIVATE --coverage)
    target_link_options(${target} PRIVATE --coverage)
  endif()
endfunction()
