package videollama.weights.pth;

/**
 * A class or function named by a pickle ({@code GLOBAL 'collections OrderedDict'}). Nothing is ever imported or
 * called: the few globals torch checkpoints need are interpreted, any other one stays a name.
 */
public record PyGlobal(String module, String name) {
    /** {@code "collections.OrderedDict"}. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
