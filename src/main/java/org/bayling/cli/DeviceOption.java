package org.bayling.cli;

import ai.djl.Device;
import java.util.Locale;

/** Parses {@code --device}: {@code auto} (null: GPU 0 if any, else CPU), {@code cpu}, {@code gpu}, {@code gpu:N}. */
final class DeviceOption {

    private DeviceOption() {
    }

    static Device parse(String value) {
        String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return null;
        }
        if (v.equals("cpu")) {
            return Device.cpu();
        }
        if (v.equals("gpu")) {
            return Device.gpu(0);
        }
        if (v.matches("gpu:\\d+")) {
            return Device.gpu(Integer.parseInt(v.substring(4)));
        }
        throw new IllegalArgumentException("--device must be auto, cpu, gpu or gpu:N, got '" + value + "'");
    }
}
