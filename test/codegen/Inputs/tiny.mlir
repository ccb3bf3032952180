// A two-op model used by the driver tests.
func.func @main(%x: tensor<1x8xf32> {anvil.name = "x"}) -> (tensor<1x8xf32> {anvil.name = "y"}) {
  %c = anvil.constant dense<0.5> : tensor<8xf32>
  %a = anvil.binary add %x, %c : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %y = anvil.softmax %a {axis = 1 : i64} : tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
