package org.bayling.cli;

import java.util.Locale;
import org.bayling.model.checkpoint.DType;
import picocli.CommandLine;

/** Parses {@code f16|bf16|f32|f64} (any case, also {@code float16}, {@code bfloat16}, {@code float32}). */
final class DTypeOption implements CommandLine.ITypeConverter<DType> {

    @Override
    public DType convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "f16", "fp16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            case "f32", "fp32", "float32", "float" -> DType.F32;
            case "f64", "fp64", "float64", "double" -> DType.F64;
            default -> throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a dtype: use f16, bf16, f32 or f64");
        };
    }

    /** Parses sizes such as {@code 5GB}, {@code 500MB}, {@code 2GiB} or a byte count. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            long unit = 1;
            String[][] units = {{"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"}, {"GB", "1000000000"},
                {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}};
            for (String[] u : units) {
                if (v.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    v = v.substring(0, v.length() - u[0].length()).trim();
                    break;
                }
            }
            try {
                long n = Math.multiplyExact(Long.parseLong(v), unit);
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size such as 5GB or 500MB");
            }
        }
    }
}
