// A graph input that is not f32.
func.func @main(%ids: tensor<4xi64> {anvil.name = "ids"}) -> (tensor<4xi64> {anvil.name = "y"}) {
  return %ids : tensor<4xi64>
}
