# GoogleTest binaries under build/test/unit, run through lit as upstream MLIR does.
import os
import lit.formats

config.name = "Anvil-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.anvil_obj_root, "test", "unit")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
