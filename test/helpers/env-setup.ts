// The AWS SDK warns once per process that it will need Node 22 from 2027; tests run on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
