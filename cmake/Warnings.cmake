# Warnings (as errors when SCARSCOPE_WERROR) and sanitizers, applied per target.
function(scarscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SCARSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(SCARSCOPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12's -Wmaybe-uninitialized reports false positives in instrumented code (std::regex,
  # std::optional<std::string>); the optimised -Werror build keeps the warning meaningful.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()
