class TorchOps(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.TorchOps, x: Tensor) -> Tensor:
    return x
  def cast(self: __torch__.TorchOps, x: Tensor, dtype: int) -> Tensor:
    return torch.to(x, dtype)
  def zeros(self: __torch__.TorchOps, shape: List[int], dtype: int, device: str) -> Tensor:
    return torch.zeros(shape, dtype=dtype, layout=None, device=torch.device(device), pin_memory=None)
  def rms_norm(self: __torch__.TorchOps, x: Tensor, eps: float) -> Tensor:
    h = torch.to(x, 6)
    v = torch.mean(torch.mul(h, h), [-1], True)
    return torch.to(torch.mul(h, torch.rsqrt(torch.add(v, eps))), ops.prim.dtype(x))
  def silu_mul(self: __torch__.TorchOps, gate: Tensor, up: Tensor) -> Tensor:
    return torch.mul(torch.silu(gate), up)
  def quantize_int8(self: __torch__.TorchOps, w: Tensor) -> Tuple[Tensor, Tensor]:
    w32 = torch.to(w, 6)
    scale = torch.div(torch.clamp_min(torch.amax(torch.abs(w32), [1], False), 1e-30), 127.)
    q = torch.to(torch.clamp(torch.round(torch.div(w32, torch.unsqueeze(scale, 1))), -127., 127.), 1)
    return (q, scale)
  def int8_linear(self: __torch__.TorchOps, x: Tensor, w: Tensor, scales: Tensor) -> Tensor:
    shape = torch.size(x)
    x2 = torch.to(torch.reshape(x, [-1, shape[-1]]), ops.prim.dtype(scales))
    if torch.eq(ops.aten.storage_offset(x2), 0):
      x2 = torch.contiguous(x2)
    else:
      x2 = torch.clone(x2, memory_format=0)
    y = torch._weight_int8pack_mm(x2, w, scales)
    out = torch.slice(shape, 0, -1, 1)
    out.append(torch.size(w, 0))
    return torch.reshape(torch.to(y, ops.prim.dtype(x)), out)
  def dequantize_linear(self: __torch__.TorchOps, x: Tensor, w: Tensor, scales: Tensor) -> Tensor:
    dense = torch.mul(torch.to(w, ops.prim.dtype(x)), torch.unsqueeze(torch.to(scales, ops.prim.dtype(x)), 1))
    return torch.linear(x, dense)
  def linear_as(self: __torch__.TorchOps, x: Tensor, w: Tensor) -> Tensor:
    return torch.to(torch.linear(torch.to(x, ops.prim.dtype(w)), w), ops.prim.dtype(x))
  def attention(self: __torch__.TorchOps, q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=1.)
