add_library(concord_sanitizers INTERFACE)
if(CONCORD_SANITIZE)
  target_compile_options(concord_sanitizers INTERFACE
    -fsanitize=${CONCORD_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(concord_sanitizers INTERFACE -fsanitize=${CONCORD_SANITIZE})
endif()
