//===- RuntimeAbiCheck.c - runtime.h compiles as C -------------*- C -*-===//
//
// Generated headers and applications include runtime.h from C; compiling it
// here as C keeps the header free of C++-isms. RuntimeTests calls the
// function to compare the C view of the structs with the C++ one.
//
//===----------------------------------------------------------------------===//

#include "anvil/runtime.h"

#include <stddef.h>

/// sizeof/offsetof as a C compiler sees them.
void anvilAbiCheckC(size_t *descSize, size_t *modelSize, size_t *createOffset,
                    size_t *optionsSize) {
  *descSize = sizeof(anvil_tensor_desc_t);
  *modelSize = sizeof(anvil_model_t);
  *createOffset = offsetof(anvil_model_t, create);
  *optionsSize = sizeof(anvil_context_options_t);
}
