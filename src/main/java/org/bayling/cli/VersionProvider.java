package org.bayling.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: this project's, Spark's, DJL's and PyTorch's versions. */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String own = BaylingCli.class.getPackage().getImplementationVersion();
        String spark;
        try {
            spark = (String) Class.forName("org.apache.spark.package$").getField("MODULE$").getType()
                    .getMethod("SPARK_VERSION").invoke(Class.forName("org.apache.spark.package$").getField("MODULE$").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            spark = "not on the classpath";
        }
        String djl = ai.djl.engine.Engine.class.getPackage().getImplementationVersion();
        String torch;
        try {
            torch = ai.djl.engine.Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException | LinkageError e) {
            torch = "unavailable (" + e.getMessage() + ")";
        }
        return new String[] {
            "bayling-spark " + (own == null ? "0.1.0-SNAPSHOT" : own),
            "Spark " + spark,
            "DJL " + (djl == null ? "0.36.0" : djl),
            "PyTorch " + torch,
            "Java " + System.getProperty("java.version")
        };
    }
}
