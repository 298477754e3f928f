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
  def rope(self: __torch__.TorchOps, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    half = x.size(-1) // 2
    rotated = torch.cat([torch.neg(x.narrow(-1, half, half)), x.narrow(-1, 0, half)], -1)
    return torch.add(torch.mul(x, cos), torch.mul(rotated, sin))
  def attend(self: __torch__.TorchOps, qkv: Tensor, cos: Tensor, sin: Tensor, keys: Tensor, values: Tensor, start: int, mask: Tensor, heads: int, kv_heads: int) -> Tensor:
    b = qkv.size(0)
    t = qkv.size(1)
    d = keys.size(3)
    qk = self.rope(qkv.narrow(2, 0, (heads + kv_heads) * d).reshape([b, t, heads + kv_heads, d]), cos, sin)
    v = qkv.narrow(2, (heads + kv_heads) * d, kv_heads * d).reshape([b, t, kv_heads, d])
    q = qk.narrow(2, 0, heads).transpose(1, 2)
    keys.narrow(2, start, t).copy_(qk.narrow(2, heads, kv_heads).transpose(1, 2))
    values.narrow(2, start, t).copy_(v.transpose(1, 2))
    used = start + t
    k = keys.narrow(2, 0, used)
    vv = values.narrow(2, 0, used)
    groups = heads // kv_heads
    if t == 1:
      out = torch.scaled_dot_product_attention(q.reshape([b, kv_heads, groups, d]), k, vv, mask, 0., False, scale=1.)
      return out.reshape([b, 1, heads * d])
    if groups > 1:
      k = k.repeat_interleave(groups, 1)
      vv = vv.repeat_interleave(groups, 1)
    out = torch.scaled_dot_product_attention(q, k, vv, mask, 0., False, scale=1.)
    return out.transpose(1, 2).reshape([b, t, heads * d])
  def narrow(self: __torch__.TorchOps, x: Tensor, dim: int, start: int, length: int) -> Tensor:
    return x.narrow(dim, start, length)
  def swiglu(self: __torch__.TorchOps, gate_up: Tensor) -> Tensor:
    n = gate_up.size(-1) // 2
    return torch.mul(torch.silu(gate_up.narrow(-1, 0, n)), gate_up.narrow(-1, n, n))
  def linear_weight_first(self: __torch__.TorchOps, x: Tensor, w: Tensor) -> Tensor:
    shape = x.size()
    y = torch.mm(w, x.reshape([-1, shape[-1]]).t()).t()
    out = shape[:-1]
    out.append(w.size(0))
    return y.reshape(out)
  def linear_onednn(self: __torch__.TorchOps, x: Tensor, w: Tensor) -> Tensor:
    shape = x.size()
    x2 = torch.to(x.reshape([-1, shape[-1]]), ops.prim.dtype(w))
    y = ops.mkldnn._linear_pointwise(torch.contiguous(x2), w, None, "none", annotate(List[Optional[number]], []), "")
    out = shape[:-1]
    out.append(w.size(0))
    return torch.to(y.reshape(out), ops.prim.dtype(x))
  def prepack_linear(self: __torch__.TorchOps, w: Tensor) -> Tensor:
    return ops.mkldnn._reorder_linear_weight(w, 1)
  def logits_lse(self: __torch__.TorchOps, logits: Tensor) -> Tuple[Tensor, Tensor]:
    l = torch.to(logits, 6)
    return (l, torch.logsumexp(l, [-1], False))
