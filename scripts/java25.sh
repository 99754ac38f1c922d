# Sourced by every script that builds or runs the project: points JAVA_HOME at a Java 25 JDK.
# Order: $JAVA_HOME if it is Java 25, then the JDKs under /usr/lib/jvm. No Java 25 -> one line, exit 1.

java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

find_java25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME/bin/java")" = 25 ]; then
    return 0
  fi
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/javac" ] && [ "$(java_major "$d/bin/java")" = 25 ]; then
      export JAVA_HOME="$d"
      return 0
    fi
  done
  return 1
}

if ! find_java25; then
  echo "videollama: Java 25 not found: set JAVA_HOME to a JDK 25 (looked at \$JAVA_HOME=${JAVA_HOME:-unset} and /usr/lib/jvm)" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
