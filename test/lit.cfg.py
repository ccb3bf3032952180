# lit configuration for Anvil's FileCheck suites (import, dialects, passes,
# codegen, e2e). Unit tests run through test/unit's GoogleTest config.
import os
import lit.formats

config.name = "Anvil"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["unit", "Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.anvil_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.anvil_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%anvil_src", config.anvil_src_root))
config.substitutions.append(("%anvil_obj", config.anvil_obj_root))
config.substitutions.append(("%clangxx", config.clangxx))
config.substitutions.append(("%python", "/usr/bin/python3"))
# `%limit_memory_4g && CMD` runs CMD in 4 GB of address space; AddressSanitizer
# reserves terabytes of shadow, so sanitizer builds run CMD without the limit.
config.substitutions.append(
    ("%limit_memory_4g", "true" if config.anvil_sanitize else "ulimit -v 4000000"))
