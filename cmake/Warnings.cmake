# Warnings (as errors when SCARSCOPE_WERROR) and sanitizers, applied per target.
function(scarscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SCARSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(SCARSCOPE_SANITIZE)
  # GCC's "undefined" leaves out float-cast-overflow (a float outside the integer's range cast to
  # it): hostile heights reach such casts, so it is checked too.
  add_compile_options(-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined,float-cast-overflow)
  add_link_options(-fsanitize=address,undefined,float-cast-overflow)
  # GCC 12's -Wmaybe-uninitialized reports false positives in instrumented code (std::regex,
  # std::optional<std::string>); the optimised -Werror build keeps the warning meaningful.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()

# ThreadSanitizer (./run tsan, build-tsan): the library is called from worker threads at once, and
# every test runs under it. Not combinable with ASan.
option(SCARSCOPE_TSAN "Build with ThreadSanitizer" OFF)
if(SCARSCOPE_TSAN)
  if(SCARSCOPE_SANITIZE)
    message(FATAL_ERROR "SCARSCOPE_TSAN and SCARSCOPE_SANITIZE cannot be combined (ThreadSanitizer excludes ASan)")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
