#===- compiler/Pipeline.cmake - pipeline and driver (AnvilCompiler) -------===#
# Included by compiler/CMakeLists.txt after the importer (compiler/onnx), so
# the importer's target is known here. AnvilCodegen is defined later (codegen/)
# and linked by name.
add_library(AnvilCompiler
  ${CMAKE_CURRENT_LIST_DIR}/Pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Driver.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ScratchDirectory.cpp
)
add_dependencies(AnvilCompiler AnvilOpsIncGen AnvilPassesIncGen)
target_link_libraries(AnvilCompiler PUBLIC
  AnvilPasses AnvilCodegen AnvilDialect ${ANVIL_MLIR_LIBS})
if(TARGET AnvilOnnxImporter)
  target_link_libraries(AnvilCompiler PUBLIC AnvilOnnxImporter)
  target_compile_definitions(AnvilCompiler PRIVATE ANVIL_HAVE_ONNX_IMPORTER)
else()
  message(STATUS "AnvilCompiler: ONNX importer not found; anvilc reads .mlir only")
endif()
