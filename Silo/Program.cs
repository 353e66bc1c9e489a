using Microsoft.Extensions.Hosting;
using OrleansChat.Silo.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddChatSilo();
await builder.Build().RunAsync();
