@echo off
rem docker-credential-java launcher for Windows (docker finds .cmd through PATHEXT).
rem JAVA_TOOL_OPTIONS and friends are cleared: the JVM would announce them on stderr.
setlocal
set "JAVA_TOOL_OPTIONS="
set "_JAVA_OPTIONS="
set "JDK_JAVA_OPTIONS="
set "JAR=%~dp0docker-credential-java.jar"
if defined DOCKER_CREDENTIAL_JAVA_JAR set "JAR=%DOCKER_CREDENTIAL_JAVA_JAR%"
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
if defined DOCKER_CREDENTIAL_JAVA_JAVA set "JAVA=%DOCKER_CREDENTIAL_JAVA_JAVA%"
"%JAVA%" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -Xlog:disable -Xlog:all=off -jar "%JAR%" %*
exit /b %ERRORLEVEL%
