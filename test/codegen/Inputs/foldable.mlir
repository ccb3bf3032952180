// Constant arithmetic that the graph phase folds away (and -O0 keeps).
func.func @main(%x: tensor<4xf32> {anvil.name = "x"}) -> (tensor<4xf32> {anvil.name = "y"}) {
  %a = anvil.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = anvil.constant dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>
  %c = anvil.binary mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = anvil.binary add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
