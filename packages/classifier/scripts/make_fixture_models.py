"""Writes the tiny ONNX models the classifier's unit tests load (packages/classifier/fixtures/).

logits[b, k] = sum over positions s with attention_mask[b, s] = 1 of TABLE[input_ids[b, s] % 97, k]
(+ token_type_ids[b, s] * 0.5 in the variant with token_type_ids). Padded positions contribute nothing, so a
text scores the same alone and padded in a batch — what the padding tests check.
"""

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROWS = 97
LABELS = 10


def build(with_token_type_ids: bool) -> onnx.ModelProto:
    table = np.random.default_rng(7).normal(0.0, 0.5, size=(ROWS, LABELS)).astype(np.float32)
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
    ]
    nodes = [
        helper.make_node("Mod", ["input_ids", "rows"], ["row"]),
        helper.make_node("Gather", ["table", "row"], ["embedded"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask_3d"]),
    ]
    summed = "embedded"
    if with_token_type_ids:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "sequence"]))
        nodes += [
            helper.make_node("Cast", ["token_type_ids"], ["types_f"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["types_f", "last_axis"], ["types_3d"]),
            helper.make_node("Mul", ["types_3d", "half"], ["types_scaled"]),
            helper.make_node("Add", ["embedded", "types_scaled"], ["embedded_typed"]),
        ]
        summed = "embedded_typed"
    nodes += [
        helper.make_node("Mul", [summed, "mask_3d"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "sequence_axis"], ["logits"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "modstream-fixture",
        inputs,
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", LABELS])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array(ROWS, dtype=np.int64), "rows"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "sequence_axis"),
        ]
        + ([numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half")] if with_token_type_ids else []),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "fixtures")
    onnx.save(build(False), out / "tiny-model.onnx")
    onnx.save(build(True), out / "tiny-model-token-types.onnx")


if __name__ == "__main__":
    main()
